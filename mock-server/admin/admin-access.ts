/**
 * Who may use the admin API (the policy is admin-exposure.ts): with an admin token every /__admin route but
 * health asks for it; key registration from another host is refused unless the admin token came with it,
 * whatever else the operator opened.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from '../errors/api-error.ts';
import { sendError } from '../http/error-responses.ts';
import { ADMIN_TOKEN_HEADER, isLoopbackAddress, type AdminAccess } from './admin-exposure.ts';

function sameSecret(given: string, expected: string): boolean {
  // Digests first: equal lengths for timingSafeEqual, and no early exit that times the token's length.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Refuses an admin request without the admin token (when there is one); otherwise passes it on. */
export function requireAdminToken(access: AdminAccess): RequestHandler {
  return (req, res, next) => {
    if (access.token === null) return next();
    const given = req.headers[ADMIN_TOKEN_HEADER.toLowerCase()];
    if (typeof given !== 'string' || given === '') {
      return sendError(
        res,
        new ApiError(401, 'ADMIN_TOKEN_MISSING', [
          `This mock's admin API needs its admin token. Send "${ADMIN_TOKEN_HEADER}: <token>"; the operator set it with --admin-token.`,
        ]),
      );
    }
    if (!sameSecret(given, access.token)) {
      return sendError(
        res,
        new ApiError(403, 'ADMIN_TOKEN_INVALID', [
          `The ${ADMIN_TOKEN_HEADER} header does not match this mock's admin token. Ask the operator for it.`,
        ]),
      );
    }
    next();
  };
}

/**
 * Key registration makes its registrant a tenant, so from another host it needs the admin token even when
 * the operator opened the rest (requireAdminToken has checked the token when there is one).
 */
export function keyRegistrationGuard(access: AdminAccess): RequestHandler {
  return (req, res, next) => {
    if (access.token !== null || isLoopbackAddress(req.socket.remoteAddress)) return next();
    sendError(
      res,
      new ApiError(403, 'ADMIN_LOCAL_ONLY', [
        'Keys can be registered from another host only with the admin token, and this mock has none. ' +
          "Register the key on the mock's own host (curl to 127.0.0.1), put it in the org fixture, or ask the operator to start the mock with --admin-token.",
      ]),
    );
  };
}
