/**
 * Errors on the express side (the admin API and unknown paths) leave in the documented shape,
 * {"errors": [...]} plus `errorCode`: API errors from the admin handlers, unknown routes, and (never
 * expected) internal faults.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { ErrorResponse } from '../../contracts/wire-schemas.ts';
import { ApiError, describeFault, internalError, storeUnavailableError } from '../errors/api-error.ts';
import { StoreUnavailable } from '../store/store-unavailable.ts';
import { routeNotFound } from '../openapi/spec-router.ts';
import { BodyAborted } from './json-body.ts';
import type { Logger } from './logger.ts';
import type { AdminLocals } from './request-log.ts';
import { writeJson } from './write-json.ts';

export function sendError(res: Response, error: ApiError): void {
  const locals = res.locals as AdminLocals;
  locals.errorCode = error.errorCode;
  if (error.status === 401 || error.status === 403) locals.authProblem = error.messages.join(' ');
  writeJson(res, error.status, error.body satisfies ErrorResponse, error.headers);
}

export const notFoundHandler: RequestHandler = (req, res) => sendError(res, routeNotFound(req.method, req.originalUrl));

/** express's own client errors (a path it cannot decode) carry a 4xx status. */
function clientStatusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent || error instanceof BodyAborted) return;
    if (error instanceof ApiError) return sendError(res, error);
    if (error instanceof StoreUnavailable) {
      logger.error(`store unavailable on ${req.method} ${req.originalUrl}: ${error.message}`);
      return sendError(res, storeUnavailableError());
    }
    const clientStatus = clientStatusOf(error);
    if (clientStatus !== undefined) {
      return sendError(
        res,
        new ApiError(clientStatus, 'INVALID_REQUEST', [
          `${req.method} ${req.originalUrl.split('?')[0]} could not be read: ${(error as Error).message}.`,
        ]),
      );
    }
    logger.error(`internal error on ${req.method} ${req.originalUrl}: ${describeFault(error)}`);
    sendError(res, internalError());
  };
}
