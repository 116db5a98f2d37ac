/**
 * What an operation gets (the tenant, the validated request, the store and org) and what it gives back
 * (a status, a body, the mutations to commit, the rule hits to report). Operations never touch HTTP.
 */
import type { RuleCheck as RuleCheckRecord } from '../../contracts/admin-schemas.ts';
import type { Operation } from '../../contracts/operations.ts';
import { judge, type RuleHit, type RulePolicyView, type RuleVars, type SequenceFacts, type SequenceRule } from '../../contracts/sequence-rules.ts';
import type { CallState, ErrorCode, ErrorDetail, ErrorResponse } from '../../contracts/wire-schemas.ts';
import { describeUndocumentedField, type UndocumentedField } from './undocumented-field.ts';
import type { SimulatedOrg } from '../org/simulated-org.ts';
import type { Mutation } from '../store/records.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';

/** Whose data a request sees: an org and one of its contact centers. */
export interface Tenant {
  key: string;
  orgId: string;
  callCenterApiName: string;
}

export const tenantKey = (orgId: string, callCenterApiName: string): string => `${orgId}/${callCenterApiName}`;

export interface OperationEnv {
  store: TelephonyStore;
  org: SimulatedOrg;
  /** The run's rule levels and mode. */
  rules: RulePolicyView;
  /** Calls one tenant may store; creating more is refused with 429. */
  maxCallsPerTenant: number;
}

/** Refuses a new call when the tenant already holds as many as it may (operations and the admin API alike). */
export function ensureRoomForCall(env: Pick<OperationEnv, 'store' | 'maxCallsPerTenant'>, tenant: string): void {
  const count = env.store.callCount(tenant);
  if (count >= env.maxCallsPerTenant) {
    throw new ApiError(429, 'TENANT_FULL', [
      `Tenant ${tenant} already holds ${count} calls, the limit (--max-calls-per-tenant ${env.maxCallsPerTenant}). ` +
        'Reset the tenant (POST /__admin/reset) or start the mock with a higher limit.',
    ]);
  }
}

export interface OperationRequest<Body = unknown> {
  operation: Operation;
  tenant: Tenant;
  /** Path parameters by their spec names (CALL_ID, vendorCallKey). */
  params: Readonly<Record<string, string>>;
  /** The body, already validated against openapi.yaml. */
  body: Body;
  /** Query parameters, already validated (only the GET lookups take any). */
  query: Readonly<Record<string, string>>;
  /** Fields of the body the spec does not document (e.g. "flowName"), with the documented one they likely mean. */
  undocumentedFields: readonly UndocumentedField[];
  providerName: string | null;
  now: Date;
  /** Where the operation's rule checks are recorded, for the answer, the log and the journal. */
  rules: RuleLedger;
}

/** The rule checks of one request, as they run. */
export class RuleLedger {
  /** Hits that let the request through: warnings, and violations in lenient mode. */
  readonly warnings: RuleHit[] = [];
  readonly checks: RuleCheckRecord[] = [];
}

export interface OperationOutcome {
  status: number;
  body: unknown;
  mutations: Mutation[];
  /** The call the request resolved to, for logs and the journal. */
  voiceCallId?: string;
}

/** An error a client caused: an HTTP status and the documented error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: ErrorCode,
    readonly messages: readonly string[],
    readonly extra: Partial<Pick<ErrorResponse, 'rule' | 'rules' | 'callState' | 'details'>> = {},
    /** Headers the answer carries, e.g. Retry-After. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(messages.join(' '));
  }

  get body(): ErrorResponse {
    return { errors: [...this.messages], errorCode: this.errorCode, ...this.extra };
  }

  static details(status: number, errorCode: ErrorCode, details: readonly ErrorDetail[]): ApiError {
    return new ApiError(
      status,
      errorCode,
      details.map((d) => `${d.field === '(body)' ? 'The body' : d.field} ${d.problem}.`),
      { details: [...details] },
    );
  }
}

/** Strict mode's answer to a violation: 409 for the call's state, 400 for the request itself. */
export class RuleViolationError extends ApiError {
  constructor(
    status: 400 | 409,
    readonly violations: readonly RuleHit[],
    callState: CallState | undefined,
  ) {
    super(
      status,
      status === 409 ? 'SEQUENCE_VIOLATION' : 'RULE_VIOLATION',
      violations.map((hit) => hit.message),
      {
        rule: violations[0]!.rule.id,
        rules: violations.map((hit) => hit.rule.id),
        ...(callState === undefined ? {} : { callState }),
      },
    );
  }
}

export interface RuleCheck {
  operation: Operation;
  scope: SequenceRule['scope'];
  facts: SequenceFacts;
  vars: RuleVars;
  callState?: CallState;
  /** For message-scope checks: the messageId. */
  subject?: string;
}

/**
 * Runs the rule table for one check and records every rule that ran in the ledger. Throws the refusal;
 * otherwise adds the hits that let the request through to the ledger's warnings and returns whether a
 * matched rule says to leave state untouched.
 */
export function enforceRules(check: RuleCheck, policy: RulePolicyView, ledger: RuleLedger): { skip: boolean } {
  const judgement = judge(check.operation, check.scope, check.facts, check.vars, policy);
  for (const { rule, outcome, message } of judgement.checks) {
    ledger.checks.push({
      rule: rule.id,
      scope: check.scope,
      outcome,
      ...(message === undefined ? {} : { message }),
      ...(check.subject === undefined ? {} : { subject: check.subject }),
    });
  }
  if (judgement.refused !== undefined) {
    throw new RuleViolationError(judgement.refused.status, judgement.refused.violations, check.callState);
  }
  ledger.warnings.push(...judgement.warnings);
  return { skip: judgement.skip };
}

/** Facts and placeholders every operation shares: undocumented fields. */
export function requestFacts(request: OperationRequest): { facts: SequenceFacts; vars: RuleVars } {
  return {
    facts: { undocumentedFields: request.undocumentedFields.length > 0 },
    vars: {
      fields: request.undocumentedFields.map(describeUndocumentedField).join(', '),
    },
  };
}
