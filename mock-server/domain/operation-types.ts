/**
 * What an operation gets (the tenant, the validated request, the store and org) and what it gives back
 * (a status, a body, the mutations to commit). Operations never touch HTTP.
 */
import type { StorageLimits } from '../tenancy/storage-limits.ts';
import type { RulePolicyView } from '../../contracts/sequence-rules.ts';
import type { SimulatedOrg } from '../org/simulated-org.ts';
import type { Mutation } from '../store/records.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';
import type { Tenant } from '../tenancy/tenant.ts';
import type { RuleLedger } from './rule-enforcement.ts';
import type { UndocumentedField } from './undocumented-field.ts';

export interface OperationEnv {
  store: TelephonyStore;
  org: SimulatedOrg;
  /** The run's rule levels and mode. */
  rules: RulePolicyView;
  /** Calls one tenant may store; creating more is refused with 429. */
  maxCallsPerTenant: number;
  /** Bytes and entries per call a tenant may store; checked when a write is committed. */
  limits: StorageLimits;
}

export interface OperationRequest<Body = unknown> {
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

export interface OperationOutcome {
  status: number;
  body: unknown;
  mutations: Mutation[];
  /** The call the request resolved to, for logs and the journal. */
  voiceCallId?: string;
}
