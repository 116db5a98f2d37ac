/**
 * Writes a request's outcome on its response: as JSON, or as a fault rule has it delivered (no answer
 * at all, a closed connection, or a broken body). What the client gets is known before it is written
 * (deliveredOf), so a replica can journal it for the others before it answers.
 */
import type { ServerResponse } from 'node:http';
import type { RequestOutcome } from '../core/request-outcome.ts';
import { writeJson } from './write-json.ts';
import { merged } from '../object-merge.ts';

export interface Delivered {
  /** null when nothing was answered. */
  status: number | null;
  body: unknown;
}

/** The start of the real answer, cut off: what a proxy that failed mid-body leaves. */
function cutShort(answer: unknown): string {
  const whole = JSON.stringify(answer);
  return whole.slice(0, Math.max(1, Math.floor(whole.length / 2)));
}

/** What the client will get for this outcome, for the journal. */
export function deliveredOf(outcome: RequestOutcome): Delivered {
  switch (outcome.delivery) {
    case 'hang':
    case 'drop':
      return { status: null, body: null };
    case 'malformed-json':
      return { status: outcome.status, body: cutShort(outcome.answer) };
    case 'empty':
      return { status: outcome.status, body: null };
    case undefined:
      return { status: outcome.status, body: outcome.answer ?? null };
  }
}

export function deliver(res: ServerResponse, outcome: RequestOutcome): void {
  switch (outcome.delivery) {
    case 'hang':
      // Nothing is written: the client waits until it gives up (the mock's close ends the socket).
      return;
    case 'drop':
      res.socket?.destroy();
      return;
    case 'malformed-json': {
      const text = cutShort(outcome.answer);
      res.writeHead(
        outcome.status,
        merged(outcome.headers, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(text),
        }),
      );
      res.end(text);
      return;
    }
    case 'empty':
      res.writeHead(
        outcome.status,
        merged(outcome.headers, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': 0 }),
      );
      res.end();
      return;
    case undefined:
      writeJson(res, outcome.status, outcome.answer, outcome.headers);
  }
}
