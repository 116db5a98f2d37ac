/**
 * Authorization for /telephony/v1. This version only requires a bearer token and does not verify it:
 * every request goes to the default tenant (the org of the fixtures and its first contact center).
 * `--auth off` drops the header requirement for quick curl experiments.
 */
import type { RequestHandler } from 'express';
import { ApiError, type Tenant } from '../domain/operation-context.ts';
import { sendError } from './error-responses.ts';
import { locals } from './request-locals.ts';

export type AuthMode = 'bearer-required' | 'off';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function bearerAuth(mode: AuthMode, defaultTenant: Tenant): RequestHandler {
  return (req, res, next) => {
    locals(res).tenant = defaultTenant;
    if (mode === 'off') return next();
    const header = req.headers.authorization;
    const challenge = { 'WWW-Authenticate': 'Bearer realm="telephony"' };
    if (header === undefined || header.trim() === '') {
      return sendError(
        res,
        new ApiError(401, 'AUTH_MISSING', [
          'Missing Authorization header. Send "Authorization: Bearer <signed JWT>" (or start the mock with --auth off).',
        ]),
        challenge,
      );
    }
    if (!BEARER.test(header)) {
      return sendError(
        res,
        new ApiError(401, 'AUTH_NOT_BEARER', [
          `The Authorization header is not a bearer token (it starts with "${header.split(/\s/)[0]?.slice(0, 10) ?? ''}…"). Send "Authorization: Bearer <signed JWT>".`,
        ]),
        challenge,
      );
    }
    next();
  };
}
