/** Logs every request once it is answered: method, path, tenant, status, and the rules it hit. */
import type { RequestHandler } from 'express';
import type { Logger } from './logger.ts';
import { locals } from './request-locals.ts';

export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const time = new Date();
    res.on('finish', () => {
      const state = locals(res);
      const violations = state.violations ?? [];
      const warnings = state.warnings ?? [];
      logger.request({
        time,
        method: req.method,
        path: req.originalUrl.split('?')[0] ?? req.originalUrl,
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        ...(state.tenant === undefined ? {} : { tenant: state.tenant.key }),
        ...(state.operationId === undefined ? {} : { operationId: state.operationId }),
        ...(state.voiceCallId === undefined ? {} : { voiceCallId: state.voiceCallId }),
        ...(state.errorCode === undefined ? {} : { errorCode: state.errorCode }),
        rules: violations.map((hit) => hit.rule.id),
        warnings: warnings.map((hit) => hit.rule.id),
        notes: [
          ...(state.authProblem === undefined ? [] : [`${state.errorCode ?? 'AUTH'}: ${state.authProblem}`]),
          ...[...violations, ...warnings].map((hit) => `${hit.rule.id}: ${hit.message}`),
        ],
      });
    });
    next();
  };
}
