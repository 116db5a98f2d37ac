/**
 * The express glue of the admin API: request bodies (read like the API's, with the same limits and
 * errors) and the tenant of a request (named like the API's: the bearer token, or with --auth off the
 * Scv-Mock-Tenant header). Both hand ApiErrors to the error handler.
 */
import type { Request, RequestHandler } from 'express';
import type { Authenticator } from '../auth/request-auth.ts';
import { parseJsonBody, readBody } from '../http/json-body.ts';
import type { AdminLocals } from '../http/request-log.ts';
import { ApiError } from '../errors/api-error.ts';
import { sendError } from '../http/error-responses.ts';
import type { Tenant } from '../tenancy/tenant.ts';

/** Sets req.body to the body's bytes (a Buffer, or undefined without a body). */
export function rawBody(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    readBody(req, limitBytes).then((body) => {
      req.body = body;
      next();
    }, next);
  };
}

/** Sets req.body to the parsed JSON body (undefined without a body). */
export function jsonBody(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    readBody(req, limitBytes).then((body) => {
      try {
        req.body = parseJsonBody(body, req.headers['content-type']);
        next();
      } catch (error) {
        next(error);
      }
    }, next);
  };
}

/**
 * Sets res.locals.tenant, or answers the 400/401/403 that says why it cannot. `sync` brings the tenant's
 * state up to date first (a replica catches up with the others), so an admin read sees every write
 * answered before it.
 */
export function adminTenant(authenticate: Authenticator, sync: (tenant: string) => Promise<void>): RequestHandler {
  return (req, res, next) => {
    // Through a promise either way, so that a refusal thrown at once goes to next() too.
    Promise.resolve()
      .then(() => authenticate(req.headers))
      .then(async (tenant) => {
        await sync(tenant.key);
        return tenant;
      })
      .then((tenant) => {
        (res.locals as AdminLocals).tenant = tenant;
        next();
      }, next);
  };
}

/** Runs a handler with the request's tenant; ApiErrors become answers. */
export function withTenant(
  handler: (
    tenant: Tenant,
    req: Request,
  ) => Promise<{ status?: number; body?: unknown }> | { status?: number; body?: unknown },
): RequestHandler {
  return async (req, res) => {
    try {
      const tenant = (res.locals as AdminLocals).tenant!;
      const { status = 200, body } = await handler(tenant, req);
      // No body (a 204): nothing to write.
      if (body === undefined) res.status(status).end();
      else res.status(status).json(body);
    } catch (error) {
      if (error instanceof ApiError) return sendError(res, error);
      throw error;
    }
  };
}

/** An admin handler that names no tenant: its result is the JSON answer, an ApiError the error answer. */
export function withoutTenant(handler: (body: unknown) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    handler(req.body).then((body) => res.json(body), next);
  };
}
