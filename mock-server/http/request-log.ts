/**
 * The log line of each answered request: method, path, tenant, status, and the rules it hit. Telephony
 * requests are logged from their outcome; the admin API's (served by express) when they finish.
 */
import type { RequestHandler } from 'express';
import type { InjectedFault } from '../../contracts/fault-schemas.ts';
import type { AnsweredRequest } from '../journal/journal-entry.ts';
import type { Tenant } from '../tenancy/tenant.ts';
import type { RequestLogEntry } from './logger.ts';

function faultNote(fault: InjectedFault): string {
  const what =
    fault.kind === 'status' ? `answered ${String(fault.status)}` : fault.kind === 'delay' ? 'delayed' : fault.kind;
  const delay = fault.delayMs === undefined || fault.kind === 'delay' ? '' : ` after ${fault.delayMs} ms`;
  const late = fault.kind === 'delay' ? ` ${String(fault.delayMs ?? 0)} ms` : '';
  return `FAULT ${fault.id}${fault.name === undefined ? '' : ` (${fault.name})`}: ${what}${late}${delay}; the operation ${fault.applied ? 'ran' : 'did not run'}`;
}

export function logEntryOf(answered: AnsweredRequest): RequestLogEntry {
  const { outcome } = answered;
  const violations = outcome.violations ?? [];
  const warnings = outcome.warnings ?? [];
  return {
    time: answered.time,
    method: answered.method,
    path: answered.path,
    // 0: nothing was answered (a fault rule's drop or hang; the note says which).
    status: answered.delivered.status ?? 0,
    ms: answered.durationMs,
    ...(outcome.tenant === undefined ? {} : { tenant: outcome.tenant.key }),
    ...(outcome.operationId === undefined ? {} : { operationId: outcome.operationId }),
    ...(outcome.call === undefined ? {} : { voiceCallId: outcome.call.voiceCallId }),
    ...(outcome.errorCode === undefined ? {} : { errorCode: outcome.errorCode }),
    rules: violations.map((hit) => hit.rule.id),
    warnings: warnings.map((hit) => hit.rule.id),
    notes: [
      ...(outcome.fault === undefined ? [] : [faultNote(outcome.fault)]),
      ...(outcome.authProblem === undefined ? [] : [`${outcome.errorCode ?? 'AUTH'}: ${outcome.authProblem}`]),
      ...[...violations, ...warnings].map((hit) => `${hit.rule.id}: ${hit.message}`),
    ],
  };
}

/** What the admin layer tells its request log: the tenant it served and the error code it answered. */
export interface AdminLocals {
  tenant?: Tenant;
  errorCode?: string;
  authProblem?: string;
}

export function adminRequestLog(log: (entry: RequestLogEntry) => void): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const time = new Date();
    res.on('finish', () => {
      const locals = res.locals as AdminLocals;
      log({
        time,
        method: req.method,
        path: req.originalUrl.split('?')[0] ?? req.originalUrl,
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        ...(locals.tenant === undefined ? {} : { tenant: locals.tenant.key }),
        ...(locals.errorCode === undefined ? {} : { errorCode: locals.errorCode }),
        rules: [],
        warnings: [],
        notes: locals.authProblem === undefined ? [] : [`${locals.errorCode ?? 'AUTH'}: ${locals.authProblem}`],
      });
    });
    next();
  };
}
