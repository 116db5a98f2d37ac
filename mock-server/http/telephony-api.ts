/**
 * The /telephony/v1 surface: auth, JSON body, then openapi-backend routes and validates against
 * openapi.yaml and hands each operation to its domain function. This layer only translates between
 * HTTP and operations: it commits what an operation returns and writes the answer.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Context, OpenAPIBackend } from 'openapi-backend';
import { OPERATION_OF_OPERATION_ID, type OperationId } from '../../contracts/operations.ts';
import type { ErrorDetail } from '../../contracts/wire-schemas.ts';
import { handlerFor } from '../domain/operation-registry.ts';
import { ApiError, RuleLedger, type OperationEnv, type OperationRequest, type Tenant } from '../domain/operation-context.ts';
import { requestBodySchema } from '../openapi/openapi-router.ts';
import { findUndocumentedFields } from '../openapi/undocumented-fields.ts';
import { ReservedPaths } from '../openapi/reserved-paths.ts';
import { describeValidationErrors } from '../openapi/validation-messages.ts';
import { routeNotFound, sendError } from './error-responses.ts';
import type { RequestJournal } from '../journal/request-journal.ts';
import { journalRecorder } from './journal-recorder.ts';
import { jsonBody } from './json-body.ts';
import { sendJson } from './send-json.ts';
import { WARNINGS_HEADER, warningsHeader } from './warnings-header.ts';
import type { Logger } from './logger.ts';
import { locals } from './request-locals.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export interface TelephonyApiOptions {
  api: OpenAPIBackend;
  env: OperationEnv;
  /** Sets the request's tenant or answers 401/403 (auth-middleware.ts). */
  authenticate: RequestHandler;
  maxBodyBytes: number;
  logger: Logger;
  clock: () => Date;
  journal: RequestJournal;
}

function requireTenant(tenant: Tenant | undefined): Tenant {
  // authenticate runs first on this router and either sets the tenant or answers.
  if (tenant === undefined) throw new Error('a request reached an operation without a tenant');
  return tenant;
}

/** The router decodes path segments; a malformed escape (%ZZ) would throw there. */
function hasValidEscapes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** The query parameters the spec validated (a repeated one is an array, which validation refuses). */
function queryStrings(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof query !== 'object' || query === null) return out;
  for (const [name, value] of Object.entries(query)) if (typeof value === 'string') out[name] = value;
  return out;
}

function isOperationId(value: string): value is OperationId {
  return Object.hasOwn(OPERATION_OF_OPERATION_ID, value);
}

export function telephonyApi(options: TelephonyApiOptions): Router {
  const { api, env } = options;
  const bodySchemas = new Map(Object.keys(OPERATION_OF_OPERATION_ID).map((id) => [id, requestBodySchema(api, id)]));

  async function dispatch(c: Context, req: Request, res: Response): Promise<void> {
    const operationId = c.operation.operationId ?? '';
    if (!isOperationId(operationId)) throw new Error(`no domain operation for ${operationId}`);
    const state = locals(res);
    state.operationId = operationId;
    state.params = c.request.params as Record<string, string>;
    const { operation, handle } = handlerFor(operationId);
    const undocumented = findUndocumentedFields(bodySchemas.get(operationId), req.body);
    const provider = req.headers['telephony-provider-name'];
    const request: OperationRequest = {
      operation,
      tenant: requireTenant(state.tenant),
      params: state.params,
      body: req.body,
      query: queryStrings(c.request.query),
      undocumentedFields: undocumented,
      providerName: typeof provider === 'string' ? provider : null,
      now: options.clock(),
      rules: new RuleLedger(),
    };
    state.warnings = request.rules.warnings;
    state.checks = request.rules.checks;
    try {
      // The body was validated against this operation's schema, which is what the handler's type says.
      const outcome = handle(request as OperationRequest<never>, env);
      try {
        await env.store.commit(outcome.mutations);
        if (outcome.voiceCallId !== undefined) rememberCall(res, request.tenant, outcome.voiceCallId);
      } catch (error) {
        options.logger.error(`store write failed: ${(error as Error).message}`);
        throw new ApiError(503, 'STORE_UNAVAILABLE', [
          'The mock could not write its store (see its log). The request may not have been saved; retry once the store is writable.',
        ]);
      }
      const { warnings } = request.rules;
      if (warnings.length > 0) res.setHeader(WARNINGS_HEADER, warningsHeader(warnings, request.undocumentedFields));
      sendJson(res, outcome.status, outcome.body);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const refused = error.extra.callState?.voiceCallId;
      if (refused !== undefined) rememberCall(res, request.tenant, refused);
      return sendError(res, error);
    }
  }

  /** Which stored call the request was about, for the log and the journal. */
  function rememberCall(res: Response, tenant: Tenant, voiceCallId: string): void {
    const call = env.store.getCall(tenant.key, voiceCallId);
    const state = locals(res);
    state.voiceCallId = voiceCallId;
    if (call !== undefined) state.call = { voiceCallId, vendorCallKey: call.vendorCallKey, conversationId: call.conversationId };
  }

  for (const operationId of Object.keys(OPERATION_OF_OPERATION_ID)) api.register(operationId, dispatch);
  // The token is checked before the body is read (authenticate below); openapi-backend only learns the result.
  api.registerSecurityHandler('bearerJwt', (_c: Context, _req: Request, res: Response) => locals(res).tenant !== undefined);
  api.register({
    validationFail: (c: Context, _req: Request, res: Response) => {
      const details: ErrorDetail[] = describeValidationErrors(c.validation.errors ?? []);
      locals(res).operationId = c.operation.operationId;
      locals(res).params = c.request.params as Record<string, string>;
      sendError(res, ApiError.details(400, 'INVALID_REQUEST', details));
    },
    notFound: (_c: Context, req: Request, res: Response) => sendError(res, routeNotFound(req)),
    methodNotAllowed: (_c: Context, req: Request, res: Response) => {
      const allowed = METHODS.filter((method) => {
        try {
          return api.router.matchOperation({ method, path: req.path, headers: {} }, false) !== undefined;
        } catch {
          return false;
        }
      }).map((m) => m.toUpperCase());
      sendError(
        res,
        new ApiError(405, 'METHOD_NOT_ALLOWED', [
          `${req.method} is not allowed on ${req.originalUrl.split('?')[0]}. Use ${allowed.join(' or ')}.`,
        ]),
        { Allow: allowed.join(', ') },
      );
    },
  });

  const reserved = new ReservedPaths(api.router.getOperations().map((operation) => ({ method: operation.method, path: operation.path })));

  const router = Router();
  router.use(options.authenticate);
  router.use(journalRecorder(options.journal));
  router.use(jsonBody(options.maxBodyBytes));
  router.use(async (req, res) => {
    if (!hasValidEscapes(req.path)) {
      return sendError(
        res,
        ApiError.details(400, 'INVALID_REQUEST', [
          { field: 'path', problem: `${req.path} has a malformed percent-escape; encode ids with encodeURIComponent` },
        ]),
      );
    }
    const verdict = reserved.judge(req.method, req.path);
    if (verdict.kind === 'wrong-method') {
      return sendError(
        res,
        new ApiError(405, 'METHOD_NOT_ALLOWED', [
          `${req.method} is not allowed on ${req.originalUrl.split('?')[0]}. Use ${verdict.allow.join(' or ')}. ` +
            '(This path is an endpoint of its own: it never names a call.)',
        ]),
        { Allow: verdict.allow.join(', ') },
      );
    }
    if (verdict.kind === 'no-such-endpoint') {
      return sendError(
        res,
        new ApiError(404, 'ROUTE_NOT_FOUND', [
          `No endpoint ${req.method} ${req.originalUrl.split('?')[0]}: "${verdict.word}" after /voiceCalls/ is reserved by the API, so it never names a call. ` +
            `Its endpoints: ${verdict.endpoints.join('; ')}.`,
        ]),
      );
    }
    const body: unknown = req.body;
    await api.handleRequest(
      // Express 5's request object does not fit openapi-backend; pass the parts it reads. openapi-backend
      // JSON-parses string bodies again, so a JSON string body goes over as JSON text to stay a string.
      {
        method: req.method,
        path: req.path,
        headers: req.headers as Record<string, string>,
        query: req.query as Record<string, string | string[]>,
        body: typeof body === 'string' ? JSON.stringify(body) : body,
      },
      req,
      res,
    );
  });
  return router;
}
