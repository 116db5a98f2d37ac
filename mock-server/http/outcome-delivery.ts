/**
 * Writes a request's outcome on its response: as JSON, or as a fault rule has it delivered (no answer
 * at all, a closed connection, or a broken body). Returns what the client got, for the journal.
 */
import type { ServerResponse } from 'node:http';
import type { RequestOutcome } from '../core/request-outcome.ts';
import { writeJson } from './write-json.ts';

export interface Delivered {
  /** null when nothing was answered. */
  status: number | null;
  body: unknown;
}

export function deliver(res: ServerResponse, outcome: RequestOutcome): Delivered {
  switch (outcome.delivery) {
    case 'hang':
      // Nothing is written: the client waits until it gives up (the mock's close ends the socket).
      return { status: null, body: null };
    case 'drop':
      res.socket?.destroy();
      return { status: null, body: null };
    case 'malformed-json': {
      // The start of the real answer, cut off: what a proxy that failed mid-body leaves.
      const whole = JSON.stringify(outcome.answer);
      const text = whole.slice(0, Math.max(1, Math.floor(whole.length / 2)));
      res.writeHead(outcome.status, {
        ...outcome.headers,
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
      return { status: outcome.status, body: text };
    }
    case 'empty':
      res.writeHead(outcome.status, {
        ...outcome.headers,
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': 0,
      });
      res.end();
      return { status: outcome.status, body: null };
    case undefined:
      writeJson(res, outcome.status, outcome.answer, outcome.headers);
      return { status: outcome.status, body: outcome.answer ?? null };
  }
}
