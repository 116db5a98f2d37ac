/**
 * Fault rules on replicas: each tenant's rules, with their counts and random sequences, are one row
 * (scv_mock_faults). A change or a decision locks the row, takes it into this replica's FaultBook, acts
 * there and writes it back, so the counts are exact across replicas ("the next two creates" are two in
 * all). A change is also sent to every live replica before it is answered (replica-bus.ts), so each knows
 * at once whether a tenant has rules: a tenant without any costs no database work per request.
 */
import type { PoolClient } from 'pg';
import type { FaultRule, FaultRuleRequest } from '../../contracts/fault-schemas.ts';
import type { PostgresDatabase } from '../store/postgres-database.ts';
import type { ReplicaBus } from '../store/replica-bus.ts';
import type { FaultBook, FaultDecision, FaultFacts, TenantFaults } from './fault-book.ts';
import type { FaultRules } from './fault-rules.ts';
import { StoreUnavailable } from '../store/store-unavailable.ts';

const TOPIC = 'faults';

export class SharedFaults implements FaultRules {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly bus: ReplicaBus,
    private readonly book: FaultBook,
  ) {
    bus.on(TOPIC, async (tenant) => {
      await this.reload(tenant as string);
    });
  }

  /**
   * Takes every tenant's stored rules. Rules given at start (--faults) are stored for a tenant that has
   * none stored (never had any, or they were all removed); a tenant's stored rules win over them.
   */
  async load(): Promise<void> {
    const rows = await this.db.pool.query<{ tenant: string; faults: TenantFaults }>(
      'SELECT tenant, faults FROM scv_mock_faults',
    );
    const withRules = new Map(rows.rows.filter((row) => row.faults.rules.length > 0).map((row) => [row.tenant, row]));
    for (const tenant of this.book.tenants()) {
      if (withRules.has(tenant)) continue;
      // Numbered after whatever the tenant was given before, so that ids stay unique.
      await this.db.pool.query(
        `INSERT INTO scv_mock_faults (tenant, faults, issued) VALUES ($1, $2, $3)
         ON CONFLICT (tenant) DO UPDATE SET faults = EXCLUDED.faults, issued = scv_mock_faults.issued + EXCLUDED.issued
         WHERE jsonb_array_length(scv_mock_faults.faults -> 'rules') = 0`,
        [tenant, JSON.stringify(this.book.tenantFaults(tenant)), this.book.list(tenant).length],
      );
    }
    for (const row of withRules.values()) this.book.restoreTenant(row.tenant, row.faults);
  }

  has(tenant: string): boolean {
    return this.book.has(tenant);
  }

  decide(tenant: string, facts: FaultFacts): Promise<FaultDecision | undefined> {
    return this.underLock(tenant, false, () => this.book.decide(tenant, facts));
  }

  async list(tenant: string): Promise<FaultRule[]> {
    await this.reload(tenant);
    return this.book.list(tenant);
  }

  add(tenant: string, request: FaultRuleRequest): Promise<FaultRule> {
    return this.underLock(tenant, true, (issued) => this.book.add(tenant, request, `fault-${issued + 1}`), 1);
  }

  remove(tenant: string, id: string): Promise<boolean> {
    return this.underLock(tenant, true, () => this.book.remove(tenant, id));
  }

  clear(tenant: string): Promise<number> {
    return this.underLock(tenant, true, () => this.book.clear(tenant));
  }

  private async reload(tenant: string): Promise<void> {
    const row = await this.db.pool.query<{ faults: TenantFaults }>(
      'SELECT faults FROM scv_mock_faults WHERE tenant = $1',
      [tenant],
    );
    this.book.restoreTenant(tenant, row.rows[0]?.faults ?? { rules: [] });
  }

  /**
   * Locks the tenant's row, takes it into the book, runs `act`, writes the book's rules back and
   * commits; a change (`announce`) then reaches every live replica before this resolves. `issuedBy`
   * counts rules added, for their ids.
   */
  private async underLock<T>(tenant: string, announce: boolean, act: (issued: number) => T, issuedBy = 0): Promise<T> {
    const client: PoolClient = await this.db.pool.connect().catch((error: unknown) => {
      throw new StoreUnavailable(`no connection to the database: ${(error as Error).message}`);
    });
    let result: T;
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO scv_mock_faults (tenant, faults, issued) VALUES ($1, '{"rules": []}', 0) ON CONFLICT DO NOTHING`,
        [tenant],
      );
      const row = await client.query<{ faults: TenantFaults; issued: number }>(
        'SELECT faults, issued FROM scv_mock_faults WHERE tenant = $1 FOR UPDATE',
        [tenant],
      );
      const { faults, issued } = row.rows[0]!;
      this.book.restoreTenant(tenant, faults);
      result = act(issued);
      await client.query('UPDATE scv_mock_faults SET faults = $2, issued = $3 WHERE tenant = $1', [
        tenant,
        JSON.stringify(this.book.tenantFaults(tenant)),
        issued + issuedBy,
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new StoreUnavailable(
        `the fault rules of ${tenant} could not be read or written: ${(error as Error).message}`,
      );
    } finally {
      client.release();
    }
    if (announce) await this.bus.publish(TOPIC, tenant);
    return result;
  }
}
