/**
 * How many bytes each tenant's records take, as JSON (estimated from their strings and keys, without
 * serialising), so that limits can be set in bytes rather than in records whose size a client chooses.
 * Counted on first use by one pass over the state, then kept up to date as mutations are applied: the
 * start pays nothing for it.
 */
import { jsonSizeOf } from './json-size.ts';
import { COLLECTIONS, type Mutation } from './records.ts';
import type { StateIndex } from './state-index.ts';

export class StoredBytes {
  private perTenant: Map<string, number> | null = null;
  private all = 0;

  constructor(private readonly state: StateIndex) {
    // A record held as its JSON line was counted as the line's length; once parsed, as its estimate.
    state.onLineParsed = (tenant, sizeChange) => {
      if (this.perTenant === null || sizeChange === 0) return;
      this.perTenant.set(tenant, (this.perTenant.get(tenant) ?? 0) + sizeChange);
      this.all += sizeChange;
    };
  }

  /** The tenant's records' size. */
  of(tenant: string): number {
    return this.counted().get(tenant) ?? 0;
  }

  /** Every tenant's records' size. */
  total(): number {
    this.counted();
    return this.all;
  }

  /** What applying these mutations would add to each tenant (negative when they remove). Call before applying. */
  change(mutations: readonly Mutation[]): Map<string, number> {
    const change = new Map<string, number>();
    for (const mutation of mutations) {
      if (mutation.op === 'put') {
        const previous = this.state.record(mutation.collection, mutation.record.id);
        const bytes = jsonSizeOf(mutation.record) - (previous === undefined ? 0 : jsonSizeOf(previous));
        change.set(mutation.record.tenant, (change.get(mutation.record.tenant) ?? 0) + bytes);
      } else if (mutation.op === 'delete') {
        const previous = this.state.record(mutation.collection, mutation.id);
        if (previous !== undefined)
          change.set(previous.tenant, (change.get(previous.tenant) ?? 0) - jsonSizeOf(previous));
      } else if (mutation.op === 'dropTenant') {
        change.set(mutation.tenant, -this.of(mutation.tenant));
      }
    }
    return change;
  }

  /** Takes in a change (from `change`, computed before the mutations were applied). */
  applied(change: ReadonlyMap<string, number>): void {
    if (this.perTenant === null) return;
    for (const [tenant, bytes] of change) {
      const now = (this.perTenant.get(tenant) ?? 0) + bytes;
      if (now <= 0) this.perTenant.delete(tenant);
      else this.perTenant.set(tenant, now);
      this.all += bytes;
    }
  }

  private counted(): Map<string, number> {
    if (this.perTenant !== null) return this.perTenant;
    const perTenant = new Map<string, number>();
    for (const name of COLLECTIONS) {
      for (const [tenant, bytes] of this.state.sizesByTenant(name)) {
        perTenant.set(tenant, (perTenant.get(tenant) ?? 0) + bytes);
        this.all += bytes;
      }
    }
    this.perTenant = perTenant;
    return perTenant;
  }
}
