/**
 * The journal entry of one answered /telephony/v1 request, built from its outcome: what was sent (the
 * token redacted), what was answered, which call it resolved to, and the rule checks that ran.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { JournalEntry } from '../../contracts/admin-schemas.ts';
import { OPERATION_OF_OPERATION_ID, type OperationId } from '../../contracts/operations.ts';
import type { RequestOutcome } from '../core/request-outcome.ts';
import type { Delivered } from '../http/outcome-delivery.ts';
import { isSalesforceId, KEY_PREFIX } from '../ids/salesforce-id.ts';

const RECORDED_HEADERS = ['content-type', 'telephony-provider-name'] as const;

/** The vendorCallKey a request named, when no stored call tells it better. */
function namedKey(params: Record<string, string>, body: unknown): string | null {
  if (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { vendorCallKey?: unknown }).vendorCallKey === 'string'
  ) {
    return (body as { vendorCallKey: string }).vendorCallKey;
  }
  if (params.vendorCallKey !== undefined) return params.vendorCallKey;
  if (params.CALL_ID !== undefined && !isSalesforceId(params.CALL_ID, KEY_PREFIX.VoiceCall)) return params.CALL_ID;
  return null;
}

const MAX_KEPT_DEPTH = 64;

/**
 * True when a JSON value nests no deeper than `limit`. JSON.parse takes any depth, but writing such a
 * value back (listing the journal) would overflow the stack, so deeper bodies are not kept. Recursive:
 * the recursion stops at `limit`, and it allocates nothing (this runs on every request's body).
 */
function shallowEnough(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (limit === 0) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!shallowEnough(item, limit - 1)) return false;
    return true;
  }
  for (const key in value) if (!shallowEnough((value as Record<string, unknown>)[key], limit - 1)) return false;
  return true;
}

const keptBody = (body: unknown): unknown =>
  body === undefined
    ? null
    : shallowEnough(body, MAX_KEPT_DEPTH)
      ? body
      : { scvMockNotKept: `the body nests deeper than ${MAX_KEPT_DEPTH} levels` };

/** The most of a rejected request's body the journal keeps (accepted bodies are bounded by --max-body). */
const MAX_KEPT_REJECTED_BYTES = 8 * 1024;

/**
 * A rejected request changed nothing, and a client can send them as fast and as large as it likes: a
 * journal that kept each 1 MB body whole ran the process out of memory. Large ones are noted, not kept.
 */
function keptRejectedBody(body: unknown): unknown {
  // Depth first: writing a body nested thousands deep would overflow the stack.
  const kept = keptBody(body);
  if (kept !== body) return kept;
  const bytes = Buffer.byteLength(JSON.stringify(body) ?? '');
  if (bytes <= MAX_KEPT_REJECTED_BYTES) return body;
  return {
    scvMockNotKept: `a rejected body of ${bytes.toLocaleString('en-US')} bytes; the journal keeps rejected bodies up to 8 KB`,
  };
}

export interface AnsweredRequest {
  /** When it arrived. */
  time: Date;
  method: string;
  /** The path as sent, without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  outcome: RequestOutcome;
  /** What the client got (a fault rule may have withheld or broken the answer). */
  delivered: Delivered;
  durationMs: number;
}

/** The entry, or undefined for a request of no known tenant (it failed authorization). */
export function journalEntryOf(answered: AnsweredRequest): Omit<JournalEntry, 'seq'> | undefined {
  const { outcome } = answered;
  if (outcome.tenant === undefined) return undefined;
  const headers: Record<string, string> = {};
  for (const name of RECORDED_HEADERS) {
    const value = answered.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  if (answered.headers.authorization !== undefined) headers.authorization = 'Bearer [redacted]';
  const params = outcome.params ?? {};
  const operationId = outcome.operationId ?? null;
  return {
    time: answered.time.toISOString(),
    tenant: outcome.tenant.key,
    method: answered.method,
    path: answered.path,
    operationId,
    operation:
      operationId !== null && Object.hasOwn(OPERATION_OF_OPERATION_ID, operationId)
        ? OPERATION_OF_OPERATION_ID[operationId as OperationId]
        : null,
    params,
    voiceCallId: outcome.call?.voiceCallId ?? null,
    vendorCallKey: outcome.call?.vendorCallKey ?? namedKey(params, outcome.body),
    conversationId: outcome.call?.conversationId ?? null,
    providerName: headers['telephony-provider-name'] ?? null,
    request: { headers, body: outcome.status >= 400 ? keptRejectedBody(outcome.body) : keptBody(outcome.body) },
    response: answered.delivered,
    checks: [...(outcome.checks ?? [])],
    ...(outcome.fault === undefined ? {} : { fault: outcome.fault }),
    durationMs: answered.durationMs,
  };
}

/**
 * The text the entry's request body was parsed from, when the entry keeps that body as it came (not a
 * note that it was too deep or, rejected, too large) and the text is no larger than the body may be kept:
 * the journal keeps the text rather than writing the value out again.
 */
export function keptBodyTextOf(outcome: RequestOutcome, entry: Omit<JournalEntry, 'seq'>): string | undefined {
  const text = outcome.bodyText;
  if (text === undefined || entry.request.body !== outcome.body) return undefined;
  // Whitespace can make a rejected body's text far larger than its value: the limit is on what is kept.
  return outcome.status < 400 || Buffer.byteLength(text) <= MAX_KEPT_REJECTED_BYTES ? text : undefined;
}
