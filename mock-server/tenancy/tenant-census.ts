/**
 * The tenants this mock serves, bounded: every tenant costs memory (its journal, its fault rules, its
 * indexes) however little it sends, and anyone holding the demo key can name a new org id per request.
 * Tenants that hold calls at start are known; a new one is admitted on its first request while there is
 * room, and refused with 429 after that. A reset tenant stays known.
 */
import { ApiError } from '../errors/api-error.ts';
import type { Tenant } from './tenant.ts';

export class TenantCensus {
  private readonly tenants = new Set<string>();

  constructor(
    readonly max: number,
    initial: Iterable<string> = [],
  ) {
    for (const tenant of initial) this.tenants.add(tenant);
  }

  /** The tenants served, in the order they came. */
  known(): IterableIterator<string> {
    return this.tenants.values();
  }

  get size(): number {
    return this.tenants.size;
  }

  /** Lets a known tenant through, and a new one while there is room; throws the 429 otherwise. */
  admit(tenant: Tenant): Tenant {
    if (this.tenants.has(tenant.key)) return tenant;
    if (this.tenants.size >= this.max) {
      throw new ApiError(429, 'TOO_MANY_TENANTS', [
        `The mock already serves ${this.tenants.size} tenants, its limit (--max-tenants ${this.max}), and ${tenant.key} is not one of them. ` +
          'Use an org id and contact center you used before, or ask the operator to raise the limit.',
      ]);
    }
    this.tenants.add(tenant.key);
    return tenant;
  }
}
