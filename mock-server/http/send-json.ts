/**
 * Writes a JSON answer directly: express's res.json goes through res.send's general machinery (ETags,
 * freshness, charset handling), which showed in the benchmark. The body is kept for the journal.
 */
import type { Response } from 'express';
import { locals } from './request-locals.ts';

export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  locals(res).responseBody = body;
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
