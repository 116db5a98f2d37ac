// The bench's load generator is an instrument: its counts must be right whatever framing the answers use.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pacedLoad, warmedPacedLoad } from '../bench/paced-load.ts';

/** Listens on a free loopback port; returns the port. */
async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

let server: Server;
let url: string;
const bodies: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      bodies.push(body);
      const n = Number((JSON.parse(body) as { n: string }).n);
      const answer = JSON.stringify({ n, pad: 'x'.repeat(n * 97) });
      if (n % 10 === 3) {
        res.writeHead(409, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(answer) });
        res.end(answer);
      } else if (n % 10 === 5) {
        // No Content-Length: node:http sends it chunked, in two chunks.
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.write(answer.slice(0, 10));
        setImmediate(() => res.end(answer.slice(10)));
      } else if (n % 50 === 7) {
        res.writeHead(201, { 'Content-Length': Buffer.byteLength(answer), Connection: 'close' });
        res.end(answer);
      } else {
        res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(answer) });
        res.end(answer);
      }
    });
  });
  url = `http://127.0.0.1:${await listenOnLoopback(server)}/x?y=1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the paced load generator', () => {
  it('sends every request with its number and counts every answer by its status', async () => {
    const figures = await pacedLoad({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Content-Length': '999' },
      body: '{"n":"[<id>]","name":"Grüße"}',
      rate: 1000,
      seconds: 0.2,
    });
    expect(figures.errors).toBe(0);
    // 3, 13, …, 193: twenty 409s.
    expect(figures.non2xx).toBe(20);
    expect(bodies).toHaveLength(200);
    expect(new Set(bodies.map((b) => (JSON.parse(b) as { n: string }).n)).size).toBe(200);
    expect(bodies.every((b) => (JSON.parse(b) as { name: string }).name === 'Grüße')).toBe(true);
    expect(figures.p99).toBeGreaterThan(0);
    expect(figures.max).toBeGreaterThanOrEqual(figures.p99);
    expect(figures.sendLatenessP99).toBeGreaterThanOrEqual(0);
  });

  it('counts a refused connection as an error, not an answer', async () => {
    const closed = createServer();
    const port = await listenOnLoopback(closed);
    await new Promise((resolve) => closed.close(resolve));
    const figures = await pacedLoad({
      url: `http://127.0.0.1:${port}/`,
      method: 'GET',
      headers: {},
      body: '',
      rate: 100,
      seconds: 0.05,
    });
    expect(figures).toMatchObject({ errors: 5, non2xx: 0 });
  });

  it("numbers requests on from the warm-up, starts the run on the warm-up's connections, and closes all at the end", async () => {
    const numbers: string[] = [];
    const plain = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        numbers.push((JSON.parse(body) as { n: string }).n);
        res.end('{}');
      });
    });
    let accepted = 0;
    plain.on('connection', () => accepted++);
    const port = await listenOnLoopback(plain);
    const openConnections = () =>
      new Promise<number>((resolve, reject) =>
        plain.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
    try {
      const figures = await warmedPacedLoad({
        url: `http://127.0.0.1:${port}/`,
        method: 'POST',
        headers: {},
        body: '{"n":"[<id>]"}',
        rate: 200,
        seconds: 0.2,
        warmUpSeconds: 0.2,
      });
      expect(figures).toMatchObject({ errors: 0, non2xx: 0 });
      // The warm-up's requests and the run's are numbered on from each other: a create never repeats a key.
      expect(numbers).toHaveLength(80);
      expect(new Set(numbers).size).toBe(80);
      // The run's pool holds what the warm-up handed over plus what the run opened; the warm-up handed
      // over at least the connection its last request went out on.
      expect(figures.connections - figures.connectionsOpened).toBeGreaterThanOrEqual(1);
      expect(accepted).toBeGreaterThanOrEqual(figures.connections);
      await expect.poll(openConnections, { timeout: 10_000 }).toBe(0);
    } finally {
      plain.closeAllConnections();
      await new Promise((resolve) => plain.close(resolve));
    }
  });
});
