/**
 * Every error leaves in the documented shape, {"errors": [...]} plus `errorCode`: API errors from the
 * operations, body-parser failures, unknown routes, and (never expected) internal faults.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { ErrorCode, ErrorResponse } from '../../contracts/wire-schemas.ts';
import { ApiError, RuleViolationError } from '../domain/operation-context.ts';
import type { Logger } from './logger.ts';
import { locals } from './request-locals.ts';
import { sendJson } from './send-json.ts';

export function sendError(res: Response, error: ApiError, headers: Record<string, string> = {}): void {
  const state = locals(res);
  state.errorCode = error.errorCode;
  if (error.status === 401 || error.status === 403) state.authProblem = error.messages.join(' ');
  if (error instanceof RuleViolationError) state.violations = [...error.violations];
  for (const [name, value] of Object.entries({ ...error.headers, ...headers })) res.setHeader(name, value);
  sendJson(res, error.status, error.body satisfies ErrorResponse);
}

export function routeNotFound(req: Request): ApiError {
  return new ApiError(404, 'ROUTE_NOT_FOUND', [
    `No endpoint ${req.method} ${req.originalUrl.split('?')[0]}. The API lives under /telephony/v1 (see openapi.yaml); the admin API under /__admin.`,
  ]);
}

export const notFoundHandler: RequestHandler = (req, res) => sendError(res, routeNotFound(req));

/** body-parser's error types, mapped to the mock's codes. */
const BODY_ERRORS: Record<string, { status: number; code: ErrorCode; message: (limit: unknown) => string }> = {
  'entity.too.large': {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: (limit) => `The body is larger than the limit of ${String(limit)} bytes. Send less, or start the mock with a larger --max-body.`,
  },
  'encoding.unsupported': {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: () => 'The Content-Encoding is not supported. Send the body uncompressed, or gzip/deflate-encoded.',
  },
  'request.size.invalid': {
    status: 400,
    code: 'INVALID_JSON',
    message: () => 'The body is shorter or longer than its Content-Length header says.',
  },
};

function isBodyParserError(error: unknown): error is { type: string; limit?: unknown } {
  return typeof error === 'object' && error !== null && typeof (error as { type?: unknown }).type === 'string';
}

/** zlib's errors (Z_DATA_ERROR, ...) reach us untyped when a body is not the encoding its header claims. */
function isDecompressionError(error: unknown): error is Error {
  return error instanceof Error && /^Z_/.test(String((error as NodeJS.ErrnoException).code ?? ''));
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (error instanceof ApiError) return sendError(res, error);
    if (isBodyParserError(error)) {
      if (error.type === 'request.aborted') return;
      const known = BODY_ERRORS[error.type];
      if (known !== undefined) return sendError(res, new ApiError(known.status, known.code, [known.message(error.limit)]));
    }
    if (isDecompressionError(error)) {
      return sendError(
        res,
        new ApiError(400, 'INVALID_JSON', [
          `The body could not be decompressed as its Content-Encoding says (${error.message}). Send it uncompressed, or encoded as the header says.`,
        ]),
      );
    }
    logger.error(`internal error on ${req.method} ${req.originalUrl}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    sendError(
      res,
      new ApiError(500, 'INTERNAL_ERROR', [
        'The mock failed while handling this request. This is a bug in scv-telephony-mock; please report it with the request that caused it.',
      ]),
    );
  };
}
