/**
 * The errors a client can cause, as values every layer may throw (auth, body reading, routing,
 * validation, operations, admin): an HTTP status, a stable error code and the documented error body.
 */
import type { RuleHit } from '../../contracts/sequence-rules.ts';
import type { CallState, ErrorCode, ErrorDetail, ErrorResponse } from '../../contracts/wire-schemas.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: ErrorCode,
    readonly messages: readonly string[],
    readonly extra: Partial<Pick<ErrorResponse, 'rule' | 'rules' | 'callState' | 'details'>> = {},
    /** Headers the answer carries, e.g. Retry-After, Allow, WWW-Authenticate. */
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

/** The answer to a fault of the mock itself (never expected): a 500 that asks for a report. */
export function internalError(): ApiError {
  return new ApiError(500, 'INTERNAL_ERROR', [
    "The mock failed while handling this request. This is a bug in scv-telephony-mock; please report it with the request that caused it (and the mock's log).",
  ]);
}

/** The answer when the store (a disk, the shared database) could not be read or written. */
export function storeUnavailableError(): ApiError {
  return new ApiError(503, 'STORE_UNAVAILABLE', [
    'The mock could not read or write its store (see its log). The request may not have been saved; retry once the store is usable.',
  ]);
}

/** Health's answer on a replica that cannot reach its database. */
export function databaseUnreachableError(): ApiError {
  return new ApiError(503, 'STORE_UNAVAILABLE', [
    "The mock could not reach its store's database (see its log). Requests are refused until it is back.",
  ]);
}

/** The error and its stack, for the log. */
export const describeFault = (error: unknown): string =>
  error instanceof Error ? (error.stack ?? error.message) : String(error);

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
