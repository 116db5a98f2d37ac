/**
 * Records each answered /telephony/v1 request of a known tenant in the journal: what was sent (the
 * token redacted), what was answered, which call it resolved to, and the rule checks that ran.
 */
import type { RequestHandler } from 'express';
import { OPERATION_OF_OPERATION_ID, type OperationId } from '../../contracts/operations.ts';
import { isSalesforceId, KEY_PREFIX } from '../ids/salesforce-id.ts';
import type { RequestJournal } from '../journal/request-journal.ts';
import { locals } from './request-locals.ts';

const RECORDED_HEADERS = ['content-type', 'telephony-provider-name'] as const;

/** The vendorCallKey a request named, when no stored call tells it better. */
function namedKey(params: Record<string, string>, body: unknown): string | null {
  if (typeof body === 'object' && body !== null && typeof (body as { vendorCallKey?: unknown }).vendorCallKey === 'string') {
    return (body as { vendorCallKey: string }).vendorCallKey;
  }
  if (params.vendorCallKey !== undefined) return params.vendorCallKey;
  if (params.CALL_ID !== undefined && !isSalesforceId(params.CALL_ID, KEY_PREFIX.VoiceCall)) return params.CALL_ID;
  return null;
}

const MAX_KEPT_DEPTH = 64;

/**
 * True when a JSON value nests no deeper than `limit`. JSON.parse takes any depth, but writing such a
 * value back (listing the journal) would overflow the stack, so deeper bodies are not kept.
 */
function shallowEnough(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= limit) return false;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return true;
}

const keptBody = (body: unknown): unknown =>
  body === undefined ? null : shallowEnough(body, MAX_KEPT_DEPTH) ? body : { scvMockNotKept: `the body nests deeper than ${MAX_KEPT_DEPTH} levels` };

export function journalRecorder(journal: RequestJournal): RequestHandler {
  return (req, res, next) => {
    if (!journal.enabled) return next();
    const started = process.hrtime.bigint();
    const time = new Date().toISOString();
    res.on('finish', () => {
      const state = locals(res);
      if (state.tenant === undefined) return;
      const headers: Record<string, string> = {};
      for (const name of RECORDED_HEADERS) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      if (req.headers.authorization !== undefined) headers.authorization = 'Bearer [redacted]';
      const params = state.params ?? {};
      const operationId = state.operationId ?? null;
      const body: unknown = req.body;
      journal.record({
        time,
        tenant: state.tenant.key,
        method: req.method,
        path: req.originalUrl.split('?')[0] ?? req.originalUrl,
        operationId,
        operation: operationId !== null && Object.hasOwn(OPERATION_OF_OPERATION_ID, operationId) ? OPERATION_OF_OPERATION_ID[operationId as OperationId] : null,
        params,
        voiceCallId: state.call?.voiceCallId ?? null,
        vendorCallKey: state.call?.vendorCallKey ?? namedKey(params, body),
        conversationId: state.call?.conversationId ?? null,
        providerName: headers['telephony-provider-name'] ?? null,
        request: { headers, body: keptBody(body) },
        response: { status: res.statusCode, body: state.responseBody ?? null },
        checks: state.checks ?? [],
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
    next();
  };
}
