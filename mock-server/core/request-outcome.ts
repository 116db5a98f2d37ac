/**
 * The one value a /telephony/v1 request produces: what to answer (status, headers, JSON body) and what
 * the request turned out to be (tenant, operation, call, rule checks). The HTTP layer writes the answer
 * from it, and the request log and the journal are written from the same value.
 */
import type { RuleCheck } from '../../contracts/admin-schemas.ts';
import type { InjectedFault } from '../../contracts/fault-schemas.ts';
import type { RuleHit } from '../../contracts/sequence-rules.ts';
import type { UndocumentedField } from '../domain/undocumented-field.ts';
import { type ApiError, RuleViolationError } from '../errors/api-error.ts';
import type { Tenant } from '../tenancy/tenant.ts';
import { merged } from '../object-merge.ts';

/** The stored call a request resolved to. */
export interface OutcomeCall {
  voiceCallId: string;
  vendorCallKey: string | null;
  conversationId: string | null;
}

/** What the pipeline learnt about a request before it was answered; each step adds to it. */
export interface RequestFacts {
  tenant?: Tenant;
  operationId?: string;
  /** Path parameters by their spec names, once routed. */
  params?: Record<string, string>;
  /** The parsed JSON body (undefined when there was none, or it could not be read). */
  body?: unknown;
  /** The text `body` was parsed from, as the client sent it (the journal keeps it). */
  bodyText?: string;
  call?: OutcomeCall;
  undocumentedFields?: readonly UndocumentedField[];
  /** Every rule check that ran. */
  checks?: readonly RuleCheck[];
  /** Rules that let the request through with a warning. */
  warnings?: readonly RuleHit[];
  /** What a fault rule did to the request. */
  fault?: InjectedFault;
}

/** How a fault rule has the answer delivered, when not as usual. */
export type FaultDelivery = 'hang' | 'drop' | 'malformed-json' | 'empty';

export interface RequestOutcome extends RequestFacts {
  status: number;
  headers: Readonly<Record<string, string>>;
  /** The JSON body of the answer. */
  answer: unknown;
  /** The error code of an error answer. */
  errorCode?: string;
  /** Rules that refused the request. */
  violations?: readonly RuleHit[];
  /** Why authorization failed, for the log (the answer says the same). */
  authProblem?: string;
  /** Set by a fault rule: no answer (hang, drop) or a broken body instead of `answer`. */
  delivery?: FaultDelivery;
}

/** The outcome of a request that ended in an ApiError, with what was known of it by then. */
export function errorOutcome(error: ApiError, facts: RequestFacts): RequestOutcome {
  return merged(facts, {
    status: error.status,
    headers: error.headers,
    answer: error.body,
    errorCode: error.errorCode,
    ...(error instanceof RuleViolationError ? { violations: error.violations } : {}),
    ...(error.status === 401 || error.status === 403 ? { authProblem: error.messages.join(' ') } : {}),
  });
}
