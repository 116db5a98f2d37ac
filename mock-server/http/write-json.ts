/**
 * Writes a JSON answer on a plain node:http response: express's res.json goes through res.send's general
 * machinery (ETags, freshness, charset handling), which showed in the benchmark.
 */
import type { ServerResponse } from 'node:http';
import { merged } from '../object-merge.ts';

export function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(
    status,
    merged(headers, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) }),
  );
  res.end(text);
}
