/**
 * The Prefer request header as a one-off fault, following Prism's convention: `Prefer: code=503` forces
 * that error answer, `Prefer: delay=2000` waits first; both may be given. Off unless the mock was started
 * with --allow-prefer (the real service ignores the header, and so does the mock by default). Other
 * preferences are ignored, as RFC 7240 asks.
 */
import { FAULT_STATUSES, type FaultStatus } from '../../contracts/fault-schemas.ts';
import { ApiError } from '../errors/api-error.ts';
import { decisionOf, type FaultDecision } from './fault-book.ts';
import { merged } from '../object-merge.ts';

const MAX_DELAY_MS = 120_000;

const invalid = (problem: string) => ApiError.details(400, 'INVALID_REQUEST', [{ field: 'Prefer', problem }]);

/** The fault the header asks for, undefined when it asks for none; a bad code or delay is a 400. */
export function preferDecision(header: string | string[] | undefined): FaultDecision | undefined {
  if (header === undefined) return undefined;
  let status: FaultStatus | undefined;
  let delayMs = 0;
  for (const part of (Array.isArray(header) ? header.join(',') : header).split(/[,;]/)) {
    const [name, raw] = part.split('=').map((text) => text.trim());
    if (raw === undefined) continue;
    const value = raw.replace(/^"(.*)"$/, '$1');
    if (name?.toLowerCase() === 'code') {
      const code = Number(value);
      if (!(FAULT_STATUSES as readonly number[]).includes(code))
        throw invalid(`code=${value}: the mock forces ${FAULT_STATUSES.join(', ')} (use a fault rule for the rest)`);
      status = code as FaultStatus;
    } else if (name?.toLowerCase() === 'delay') {
      if (!/^\d+$/.test(value) || Number(value) > MAX_DELAY_MS)
        throw invalid(`delay=${value}: give milliseconds, at most ${MAX_DELAY_MS}`);
      delayMs = Number(value);
    }
  }
  if (status === undefined && delayMs === 0) return undefined;
  // A forced 429 or 503 says when to retry, as a fault rule's would with retryAfter.
  const retryAfter = status === 429 || status === 503 ? { retryAfter: 1 } : {};
  return decisionOf(
    { id: 'prefer' },
    merged(status === undefined ? {} : merged({ status }, retryAfter), delayMs > 0 ? { delayMs } : {}),
  );
}

/** The Preference-Applied header (RFC 7240) for what was honoured. */
export function preferenceApplied(decision: FaultDecision): string {
  const parts: string[] = [];
  if (decision.answer.kind === 'status') parts.push(`code=${decision.answer.status}`);
  if (decision.delayMs > 0) parts.push(`delay=${decision.delayMs}`);
  return parts.join(', ');
}
