// The speed ceiling for the benchmark: a bare node:http server answering every request with fixed JSON.
import { createServer } from 'node:http';

const body = JSON.stringify({ voiceCallId: '0LQSM0A5Ewtf6ZR4KY', errors: [] });
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(Number(process.argv[2]), '127.0.0.1');
