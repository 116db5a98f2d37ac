/**
 * The fault rules of every tenant, and the decision for one request: which rule (the oldest that acts)
 * and what it does. Pure bookkeeping: no timers and no sockets; the pipeline waits and the HTTP layer
 * drops or hangs as the decision says.
 */
import type {
  FaultFileRule,
  FaultAction,
  FaultMatch,
  FaultRule,
  FaultRuleRequest,
  InjectedFault,
} from '../../contracts/fault-schemas.ts';
import type { Operation } from '../../contracts/operations.ts';
import type { SimulatedOrg } from '../org/simulated-org.ts';
import { tenantOf } from '../tenancy/tenant.ts';
import { merged } from '../object-merge.ts';

/** A rule from a --faults file that names no contact center of the simulated org. */
export class FaultRuleError extends Error {}

/** What a rule's match reads of a request: known once it is routed, validated and its call looked up. */
export interface FaultFacts {
  operation: Operation;
  method: string;
  vendorCallKey: string | null;
  callOrigin: string | null;
  initiationMethod: string | null;
  conversation: 'open' | 'closed' | null;
  /** The call's leg in its conversation (1 = the first); null when the request names no call. */
  leg: number | null;
}

/** What a rule does to one request. */
export interface FaultDecision {
  /** For the journal and the log. */
  fault: InjectedFault;
  /** Milliseconds to wait before the request goes on (0: none). */
  delayMs: number;
  /** Whether the operation runs (and its write is kept). */
  apply: boolean;
  /** How the answer is replaced, if it is. */
  answer:
    | { kind: 'status'; status: FaultAction['status'] & number; retryAfter?: number }
    | { kind: 'hang' }
    | { kind: 'drop' }
    | { kind: 'body'; body: 'malformed-json' | 'empty' }
    | { kind: 'none' };
}

/** A 32-bit hash of text (FNV-1a), to seed a rule's sequence. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A small seeded generator of numbers in [0, 1) (mulberry32): the same seed, the same draws. Its state is
 * one number, so replicas can hand a rule's sequence on where another left it.
 */
class SeededRandom {
  constructor(public state: number) {}

  static from(seed: string): SeededRandom {
    return new SeededRandom(hash32(seed));
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

interface StoredRule {
  rule: FaultRule;
  random: SeededRandom;
}

/** A tenant's rules with their counts and where each rule's random sequence stands (for replicas). */
export interface TenantFaults {
  rules: Array<{ rule: FaultRule; randomState: number }>;
}

function matches(match: FaultMatch | undefined, facts: FaultFacts): boolean {
  if (match === undefined) return true;
  return (
    (match.operation === undefined || match.operation === facts.operation) &&
    (match.method === undefined || match.method === facts.method) &&
    (match.vendorCallKey === undefined || match.vendorCallKey === facts.vendorCallKey) &&
    (match.callOrigin === undefined || match.callOrigin === facts.callOrigin) &&
    (match.initiationMethod === undefined || match.initiationMethod === facts.initiationMethod) &&
    (match.conversation === undefined || match.conversation === facts.conversation) &&
    (match.leg === undefined || match.leg === facts.leg)
  );
}

function answerOf(action: FaultAction): FaultDecision['answer'] {
  if (action.status !== undefined) {
    return action.retryAfter === undefined
      ? { kind: 'status', status: action.status }
      : { kind: 'status', status: action.status, retryAfter: action.retryAfter };
  }
  if (action.hang === true) return { kind: 'hang' };
  if (action.drop === true) return { kind: 'drop' };
  if (action.body !== undefined) return { kind: 'body', body: action.body };
  return { kind: 'none' };
}

export class FaultBook {
  private readonly byTenant = new Map<string, StoredRule[]>();
  private issued = 0;

  /** Adds a rule, named `id` when given (replicas number a tenant's rules in the database). */
  add(tenant: string, request: FaultRuleRequest, id = `fault-${++this.issued}`): FaultRule {
    const rule: FaultRule = merged(request, { id, tenant, matched: 0, injected: 0, spent: false });
    const rules = this.byTenant.get(tenant) ?? [];
    // Without a seed, a rule's draws still follow a sequence, from its id and the time it was added.
    rules.push({ rule, random: SeededRandom.from(request.seed ?? `${id}:${Date.now()}`) });
    this.byTenant.set(tenant, rules);
    return { ...rule };
  }

  list(tenant: string): FaultRule[] {
    return (this.byTenant.get(tenant) ?? []).map(({ rule }) => ({ ...rule }));
  }

  remove(tenant: string, id: string): boolean {
    const rules = this.byTenant.get(tenant) ?? [];
    const at = rules.findIndex(({ rule }) => rule.id === id);
    if (at < 0) return false;
    rules.splice(at, 1);
    return true;
  }

  clear(tenant: string): number {
    const removed = this.byTenant.get(tenant)?.length ?? 0;
    this.byTenant.delete(tenant);
    return removed;
  }

  /** The tenants that have rules. */
  tenants(): string[] {
    return [...this.byTenant.keys()];
  }

  /** The tenant's rules as they stand, counts and random sequences included. */
  tenantFaults(tenant: string): TenantFaults {
    return {
      rules: (this.byTenant.get(tenant) ?? []).map(({ rule, random }) => ({
        rule: { ...rule },
        randomState: random.state,
      })),
    };
  }

  /** Replaces the tenant's rules with these (another replica's). */
  restoreTenant(tenant: string, faults: TenantFaults): void {
    if (faults.rules.length === 0) this.byTenant.delete(tenant);
    else
      this.byTenant.set(
        tenant,
        faults.rules.map(({ rule, randomState }) => ({ rule: { ...rule }, random: new SeededRandom(randomState) })),
      );
  }

  /** Whether any rule could act on the tenant's requests (the common case is none: no work per request). */
  has(tenant: string): boolean {
    return (this.byTenant.get(tenant)?.length ?? 0) > 0;
  }

  /**
   * The fault for this request, counting it against every rule it matches up to the one that acts (the
   * oldest rule that acts decides; later rules do not see the request).
   */
  decide(tenant: string, facts: FaultFacts): FaultDecision | undefined {
    for (const stored of this.byTenant.get(tenant) ?? []) {
      const { rule } = stored;
      if (rule.spent || !matches(rule.match, facts)) continue;
      rule.matched += 1;
      if (rule.matched <= (rule.after ?? 0)) continue;
      if (rule.probability !== undefined && stored.random.next() >= rule.probability) continue;
      rule.injected += 1;
      if (rule.times !== undefined && rule.injected >= rule.times) rule.spent = true;
      return this.decision(stored);
    }
    return undefined;
  }

  private decision({ rule, random }: StoredRule): FaultDecision {
    const { action } = rule;
    const delayMs =
      (action.delayMs ?? 0) + (action.jitterMs === undefined ? 0 : Math.floor(random.next() * (action.jitterMs + 1)));
    return decisionOf({ id: rule.id, ...(rule.name === undefined ? {} : { name: rule.name }) }, action, delayMs);
  }
}

/**
 * What an action does to one request, as the journal records it and the pipeline carries it out: for
 * a rule's action, a Prefer header and the calls-per-second limit alike. `delayMs` is the delay drawn
 * for this request (a rule's jitter included).
 */
export function decisionOf(
  source: { id: string; name?: string },
  action: FaultAction,
  delayMs = action.delayMs ?? 0,
): FaultDecision {
  const answer = answerOf(action);
  const apply = action.applyOperation ?? (answer.kind === 'none' || answer.kind === 'body');
  const fault: InjectedFault = merged(source, {
    kind: answer.kind === 'none' ? 'delay' : answer.kind,
    ...(answer.kind === 'status' ? { status: answer.status } : {}),
    ...(answer.kind === 'status' && answer.retryAfter !== undefined ? { retryAfter: answer.retryAfter } : {}),
    ...(delayMs > 0 ? { delayMs } : {}),
    applied: apply,
  });
  return { fault, delayMs, apply, answer };
}

/** Adds rules given at start, each for the tenant it names (default: the org's first contact center). */
export function addFaultRules(book: FaultBook, org: SimulatedOrg, rules: readonly FaultFileRule[]): void {
  rules.forEach(({ orgId, callCenterApiName, ...rule }, i) => {
    const center = callCenterApiName ?? org.defaultContactCenter.apiName;
    if (org.contactCenter(center) === undefined) {
      const known = org.contactCenters.map((c) => c.apiName).join(', ');
      throw new FaultRuleError(
        `faults[${i}].callCenterApiName: "${center}" is not a contact center of the simulated org (known: ${known})`,
      );
    }
    book.add(tenantOf(orgId ?? org.orgId, center).key, rule);
  });
}
