/**
 * The error a status fault answers with: the status, error body and headers the mock uses for that
 * failure (an expired token's 401 is the one the token check gives), and a note naming the rule, so a
 * developer reading the connector's log knows the failure was asked for.
 */
import type { FaultStatus } from '../../contracts/fault-schemas.ts';
import { BEARER_CHALLENGE } from '../auth/request-auth.ts';
import { ApiError } from '../errors/api-error.ts';

/** `ruleId` is the rule's id, 'prefer' for a request's Prefer header, or 'rate-limit'. */
export function faultError(status: FaultStatus, ruleId: string, retryAfter?: number): ApiError {
  const note =
    ruleId === 'prefer'
      ? "(Forced by the request's Prefer header.)"
      : ruleId === 'rate-limit'
        ? '(The limit on calls initiated per second this mock was started with, --calls-per-second.)'
        : `(Injected by fault rule ${ruleId}; DELETE /__admin/faults/${ruleId} removes it.)`;
  const retry: Record<string, string> = retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) };
  const wait = retryAfter === undefined ? 'later' : `after ${retryAfter} s (Retry-After)`;
  switch (status) {
    case 401:
      return new ApiError(
        401,
        'AUTH_EXPIRED',
        [`The bearer token has expired. Sign a new token and send the request again. ${note}`],
        {},
        BEARER_CHALLENGE,
      );
    case 429:
      return new ApiError(
        429,
        'RATE_LIMITED',
        [`Too many requests for this org. Send the request again ${wait}, with the same body. ${note}`],
        {},
        retry,
      );
    case 503:
      return new ApiError(
        503,
        'SERVICE_UNAVAILABLE',
        [`The service is unavailable. Send the request again ${wait}, with the same body. ${note}`],
        {},
        retry,
      );
    case 500:
      return new ApiError(500, 'INTERNAL_ERROR', [
        `The service failed while handling the request; it may or may not have been applied. ${note}`,
      ]);
  }
}
