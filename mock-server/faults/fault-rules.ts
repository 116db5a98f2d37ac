/**
 * What the pipeline and the admin API ask of the fault rules: in one process a FaultBook answers at
 * once; on replicas (shared-faults.ts) a tenant's rules and their counts live in the database, so that
 * "fail the next two creates" fails two across all replicas.
 */
import type { FaultRule, FaultRuleRequest } from '../../contracts/fault-schemas.ts';
import type { FaultBook, FaultDecision, FaultFacts } from './fault-book.ts';

export interface FaultRules {
  /** Whether the tenant has rules (kept current on every replica before a change is answered). */
  has(tenant: string): boolean;
  /** The decision for a request of a tenant that has rules, counted against them. */
  decide(tenant: string, facts: FaultFacts): Promise<FaultDecision | undefined>;
  list(tenant: string): Promise<FaultRule[]>;
  add(tenant: string, request: FaultRuleRequest): Promise<FaultRule>;
  remove(tenant: string, id: string): Promise<boolean>;
  clear(tenant: string): Promise<number>;
}

export function localFaultRules(book: FaultBook): FaultRules {
  return {
    has: (tenant) => book.has(tenant),
    decide: (tenant, facts) => Promise.resolve(book.decide(tenant, facts)),
    list: (tenant) => Promise.resolve(book.list(tenant)),
    add: (tenant, request) => Promise.resolve(book.add(tenant, request)),
    remove: (tenant, id) => Promise.resolve(book.remove(tenant, id)),
    clear: (tenant) => Promise.resolve(book.clear(tenant)),
  };
}
