/** What the layers of one request tell each other (and the request log) through `res.locals`. */
import type { Response } from 'express';
import type { RuleHit } from '../../contracts/sequence-rules.ts';
import type { RuleCheck } from '../../contracts/admin-schemas.ts';
import type { Tenant } from '../domain/operation-context.ts';

export interface RequestLocals {
  tenant?: Tenant;
  operationId?: string;
  /** Path parameters by their spec names, once routed. */
  params?: Record<string, string>;
  voiceCallId?: string;
  /** The call the request resolved to, for the journal. */
  call?: { voiceCallId: string; vendorCallKey: string; conversationId: string | null };
  /** Rules that refused the request. */
  violations?: RuleHit[];
  /** Rules that let it through with a warning. */
  warnings?: RuleHit[];
  /** Every rule check that ran, for the journal. */
  checks?: RuleCheck[];
  /** The error code of an error answer. */
  errorCode?: string;
  /** The JSON body the answer carried (sendJson keeps it for the journal). */
  responseBody?: unknown;
  /** Why an authorization failed, for the log (the answer says the same). */
  authProblem?: string;
}

export function locals(res: Response): RequestLocals {
  return res.locals as RequestLocals;
}
