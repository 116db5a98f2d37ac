/**
 * One /telephony/v1 request as a straight line: authenticate, read the body, route, validate, run the
 * operation, commit its mutations, answer. Each step returns a value or throws the ApiError that ends
 * the request; either way the result is one RequestOutcome, which the HTTP layer writes, logs and
 * journals. Nothing here knows about sockets or express.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { OPERATION_OF_OPERATION_ID, type OperationId } from '../../contracts/operations.ts';
import type { Authenticator } from '../auth/request-auth.ts';
import { handlerFor } from '../domain/operation-registry.ts';
import type { OperationEnv, OperationOutcome, OperationRequest } from '../domain/operation-types.ts';
import { RuleLedger } from '../domain/rule-enforcement.ts';
import { ApiError, storeUnavailableError } from '../errors/api-error.ts';
import { WARNINGS_HEADER, warningsHeader } from '../http/warnings-header.ts';
import { readJsonBody } from '../http/json-body.ts';
import type { Logger } from '../http/logger.ts';
import { requestBodySchema, type RequestValidator } from '../openapi/request-validator.ts';
import { SpecRouter } from '../openapi/spec-router.ts';
import { findUndocumentedFields } from '../openapi/undocumented-fields.ts';
import { describeValidationErrors } from '../openapi/validation-messages.ts';
import type { Tenant } from '../tenancy/tenant.ts';
import { errorOutcome, type OutcomeCall, type RequestFacts, type RequestOutcome } from './request-outcome.ts';
import type { FaultDecision } from '../faults/fault-book.ts';
import type { FaultRules } from '../faults/fault-rules.ts';
import { faultFactsOf } from '../faults/fault-facts.ts';
import { faultError } from '../faults/fault-answers.ts';
import { preferDecision, preferenceApplied } from '../faults/prefer-header.ts';
import type { CallRateLimit } from '../tenancy/call-rate-limit.ts';
import { admitWrite } from '../tenancy/storage-limits.ts';
import { StoreUnavailable } from '../store/store-unavailable.ts';
import type { Mutation, VoiceCallRecord } from '../store/records.ts';
import { merged } from '../object-merge.ts';

/** A request as the pipeline reads it: the path relative to /telephony/v1, the body still unread. */
export interface TelephonyRequest {
  method: string;
  /** Relative to the API base, without the query string (e.g. /voiceCalls/abc/omniFlow). */
  path: string;
  /** The path as the client sent it, for messages. */
  shownPath: string;
  query: Readonly<Record<string, string | string[]>>;
  headers: IncomingHttpHeaders;
  /** Reads the body's bytes; called once the request is authenticated. */
  readBody(): Promise<Buffer | undefined>;
}

export interface PipelineOptions {
  validator: RequestValidator;
  env: OperationEnv;
  authenticate: Authenticator;
  logger: Logger;
  clock: () => Date;
  /** The tenants' fault rules (POST /__admin/faults). */
  faults: FaultRules;
  /** Honour `Prefer: code=…, delay=…` (--allow-prefer). */
  honourPrefer?: boolean;
  /** The org limit on calls initiated per second (--calls-per-second), if set. */
  callRateLimit?: CallRateLimit;
  /** Runs after a tenant's write is committed (the retention policy's eviction); a failure is logged, not answered. */
  afterWrite?: (tenant: string) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The headers validation reads: the media type and the header parameters the spec declares. The rest
 * (authorization, host, …) is not validated, and copying it for openapi-backend cost time per request.
 */
function pickHeaders(headers: IncomingHttpHeaders, names: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

const isOperationId = (value: string): value is OperationId => Object.hasOwn(OPERATION_OF_OPERATION_ID, value);

/** Only the lookups take query parameters, each at most once; a repeated one is an array, which validation refuses. */
function queryStrings(query: Readonly<Record<string, string | string[]>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) if (typeof value === 'string') out[name] = value;
  return out;
}

export class TelephonyPipeline {
  private readonly router;
  private readonly bodySchemas;
  private readonly validatedHeaders: readonly string[];

  constructor(private readonly options: PipelineOptions) {
    const operations = options.validator.operations();
    this.router = new SpecRouter(operations);
    this.bodySchemas = new Map(operations.map((operation) => [operation.operationId, requestBodySchema(operation)]));
    this.validatedHeaders = ['content-type', ...options.validator.headerParameterNames()];
  }

  async handle(request: TelephonyRequest): Promise<RequestOutcome> {
    const facts: RequestFacts = {};
    let prefer: FaultDecision | undefined;
    try {
      const tenant = this.options.authenticate(request.headers);
      facts.tenant = tenant instanceof Promise ? await tenant : tenant;
      const body = readJsonBody(await request.readBody(), request.headers['content-type']);
      if (body !== undefined) {
        facts.body = body.value;
        facts.bodyText = body.text;
      }
      const route = this.router.route(request.method, request.path, request.shownPath);
      facts.operationId = route.operationId;
      facts.params = route.params;
      const errors = this.options.validator.validate(route.operation, {
        method: request.method,
        path: request.path,
        params: route.params,
        headers: pickHeaders(request.headers, this.validatedHeaders),
        query: request.query,
        body: facts.body,
      });
      if (errors.length > 0) throw ApiError.details(400, 'INVALID_REQUEST', describeValidationErrors(errors));
      prefer = this.options.honourPrefer === true ? preferDecision(request.headers.prefer) : undefined;
    } catch (error) {
      if (error instanceof ApiError) return errorOutcome(error, facts);
      // A replica's token checks read the database (token ids, keys).
      if (error instanceof StoreUnavailable) return errorOutcome(storeUnavailableError(), facts);
      throw error;
    }
    // A request's own Prefer header comes before the tenant's rules (and does not count against them);
    // the org's call rate limit comes before both, as the service's would.
    let fault: FaultDecision | undefined;
    try {
      // Awaited only for a tenant with rules: the common request pays no extra turn.
      const decided = this.rateLimited(facts) ?? prefer ?? this.faultFor(request.method, facts);
      fault = decided instanceof Promise ? await decided : decided;
    } catch (error) {
      if (!(error instanceof StoreUnavailable)) throw error;
      this.options.logger.error(`fault rules unavailable: ${error.message}`);
      return errorOutcome(storeUnavailableError(), facts);
    }
    const honoured = fault !== undefined && fault === prefer ? prefer : undefined;
    if (fault !== undefined) {
      facts.fault = fault.fault;
      if (fault.delayMs > 0) await sleep(fault.delayMs);
      if (!fault.apply) return withPreferenceApplied(honoured, faulted(fault, facts));
    }
    let outcome: RequestOutcome;
    try {
      outcome = await this.run(facts.operationId, request, facts);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      outcome = errorOutcome(error, facts);
    }
    if (fault === undefined) return outcome;
    // "applied" means the write was kept: the operation ran and succeeded.
    const ran: RequestOutcome = merged(outcome, { fault: merged(fault.fault, { applied: outcome.status < 300 }) });
    return withPreferenceApplied(honoured, faulted(fault, ran, ran));
  }

  /** A create over the org's calls-per-second limit: answered 429, like a fault the service injects. */
  private rateLimited(facts: RequestFacts): FaultDecision | undefined {
    const limit = this.options.callRateLimit;
    if (limit === undefined || facts.operationId === undefined || !isOperationId(facts.operationId)) return undefined;
    if (OPERATION_OF_OPERATION_ID[facts.operationId] !== 'createVoiceCall') return undefined;
    return limit.admit(facts.tenant!.orgId);
  }

  /** The fault rule that acts on this (routed, valid) request, if any; no work when the tenant has none. */
  private faultFor(method: string, facts: RequestFacts): Promise<FaultDecision | undefined> | undefined {
    const { faults, env } = this.options;
    const tenant = facts.tenant!.key;
    const operationId = facts.operationId!;
    if (!faults.has(tenant) || !isOperationId(operationId)) return undefined;
    const operation = OPERATION_OF_OPERATION_ID[operationId];
    return faults.decide(
      tenant,
      faultFactsOf({ operation, method, params: facts.params!, body: facts.body }, env.store, tenant),
    );
  }

  /**
   * Runs the operation and commits what it returns; the facts gain the call and the rule checks either
   * way. A replica may run it more than once (another replica wrote for the tenant first): each run
   * starts with a fresh rule ledger, and the last run's is the one reported.
   */
  private async run(operationId: string, request: TelephonyRequest, facts: RequestFacts): Promise<RequestOutcome> {
    if (!isOperationId(operationId)) throw new Error(`no domain operation for ${operationId}`);
    const { env } = this.options;
    const { store, limits } = env;
    const tenant = facts.tenant!;
    const provider = request.headers['telephony-provider-name'];
    const undocumentedFields = findUndocumentedFields(this.bodySchemas.get(operationId), facts.body);
    facts.undocumentedFields = undocumentedFields;
    const operationRequest: OperationRequest = {
      tenant,
      params: facts.params!,
      body: facts.body,
      query: queryStrings(request.query),
      undocumentedFields,
      providerName: typeof provider === 'string' ? provider : null,
      now: this.options.clock(),
      rules: new RuleLedger(),
    };
    let runs = 0;
    let outcome: OperationOutcome;
    try {
      outcome = await store.transact(tenant.key, () => {
        // A run again (on a replica) starts a fresh ledger: only the last run's checks are reported.
        if (runs++ > 0) operationRequest.rules = new RuleLedger();
        facts.checks = operationRequest.rules.checks;
        // The body was validated against this operation's schema, which is what the handler's type says.
        const ran = handlerFor(operationId).handle(operationRequest as OperationRequest<never>, env);
        // A write past a storage limit is refused whole (429), before anything is applied.
        return { mutations: ran.mutations, change: admitWrite(store, limits, ran.mutations), result: ran };
      });
    } catch (error) {
      if (error instanceof StoreUnavailable) {
        this.options.logger.error(`store unavailable: ${error.message}`);
        throw storeUnavailableError();
      }
      const refused = error instanceof ApiError ? error.extra.callState?.voiceCallId : undefined;
      if (refused !== undefined) facts.call = this.callOf(tenant, refused);
      throw error;
    }
    if (outcome.voiceCallId !== undefined) facts.call = this.callOf(tenant, outcome.voiceCallId, outcome.mutations);
    // After the call is read for the journal: eviction may take the very conversation just closed.
    if (outcome.mutations.length > 0 && this.options.afterWrite !== undefined) {
      await this.options.afterWrite(tenant.key).catch((error: unknown) => {
        this.options.logger.warn(`after the write of ${tenant.key}: ${(error as Error).message}`);
      });
    }
    const { warnings } = operationRequest.rules;
    facts.warnings = warnings;
    const headers: Record<string, string> =
      warnings.length === 0 ? {} : { [WARNINGS_HEADER]: warningsHeader(warnings, undocumentedFields) };
    return merged(facts, { status: outcome.status, headers, answer: outcome.body });
  }

  /**
   * Which stored call the request was about, for the log and the journal: the record the request wrote,
   * when it wrote one (nothing to look up), or else the stored one.
   */
  private callOf(tenant: Tenant, voiceCallId: string, written: readonly Mutation[] = []): OutcomeCall {
    const call = writtenCall(written, voiceCallId) ?? this.options.env.store.getCall(tenant.key, voiceCallId);
    return { voiceCallId, vendorCallKey: call?.vendorCallKey ?? null, conversationId: call?.conversationId ?? null };
  }
}

/** Says which preferences were honoured (RFC 7240), when the fault came from the Prefer header. */
function withPreferenceApplied(prefer: FaultDecision | undefined, outcome: RequestOutcome): RequestOutcome {
  if (prefer === undefined) return outcome;
  return merged(outcome, { headers: merged(outcome.headers, { 'Preference-Applied': preferenceApplied(prefer) }) });
}

/**
 * The outcome a fault makes of a request: its error answer (a status fault), no answer (hang, drop) or
 * a broken body; `ran` is the operation's own outcome when the fault let it run.
 */
function faulted(decision: FaultDecision, facts: RequestFacts, ran?: RequestOutcome): RequestOutcome {
  const base: RequestOutcome = ran ?? merged(facts, { status: 200, headers: {}, answer: null });
  const { answer } = decision;
  switch (answer.kind) {
    case 'status': {
      const error = faultError(answer.status, decision.fault.id, answer.retryAfter);
      return errorOutcome(error, base);
    }
    case 'hang':
    case 'drop':
      return merged(base, { delivery: answer.kind });
    case 'body':
      return merged(base, { delivery: answer.body });
    case 'none':
      return base;
  }
}

/** The call record a request's mutations last put under that id, if they put one. */
function writtenCall(mutations: readonly Mutation[], voiceCallId: string): VoiceCallRecord | undefined {
  for (let i = mutations.length - 1; i >= 0; i--) {
    const mutation = mutations[i]!;
    if (mutation.op === 'put' && mutation.collection === 'calls' && mutation.record.id === voiceCallId)
      return mutation.record;
  }
  return undefined;
}
