/**
 * The store's tables in PostgreSQL: each tenant's commits in order, from every replica. A commit is
 * appended at the tenant's next version only if no other replica took that version first (the unique
 * key decides), which is how replicas serialise a tenant's writes without a lock held across a request.
 */
import { mutationProblem } from './record-shape.ts';
import type { Mutation } from './records.ts';
import { ID_BLOCK, StoreDatabaseError, type PostgresDatabase } from './postgres-database.ts';
import { TurnBatcher } from './turn-batcher.ts';

/** One commit of one tenant: the tenant's state goes from version - 1 to version. */
export interface TenantBatch {
  tenant: string;
  version: number;
  mutations: Mutation[];
}

interface LogRow {
  seq: string;
  tenant: string;
  version: string;
  mutations: unknown;
}

export class SharedLog {
  private readonly appends: TurnBatcher<TenantBatch, boolean>;
  private readonly catchUps: TurnBatcher<{ tenant: string; after: number }, TenantBatch[]>;

  constructor(private readonly db: PostgresDatabase) {
    this.appends = new TurnBatcher((batches) => this.appendAll(batches));
    this.catchUps = new TurnBatcher((asks) => this.readSince(asks));
  }

  /** The seed every replica issues ids from: the stored one, or the first replica's (`given` wins for this process). */
  async seed(given: string | undefined, fresh: () => string): Promise<string> {
    await this.db.pool.query('INSERT INTO scv_mock_meta (id_seed) VALUES ($1) ON CONFLICT DO NOTHING', [
      given ?? fresh(),
    ]);
    const stored = await this.db.pool.query<{ id_seed: string }>('SELECT id_seed FROM scv_mock_meta');
    return given ?? stored.rows[0]!.id_seed;
  }

  /** A block of id counter values no other replica will use: [first, last]. */
  async idBlock(): Promise<[number, number]> {
    const next = await this.db.pool.query<{ first: string }>("SELECT nextval('scv_mock_id_blocks') AS first");
    const first = Number(next.rows[0]!.first);
    return [first, first + ID_BLOCK - 1];
  }

  /** Every commit, in the order it was written (each tenant's in version order). */
  async everything(): Promise<TenantBatch[]> {
    const rows = await this.db.pool.query<LogRow>(
      'SELECT seq, tenant, version, mutations FROM scv_mock_log ORDER BY seq',
    );
    return rows.rows.map((row) => this.batchOf(row));
  }

  /** The tenant's commits after version `after`, in order (those of one turn are read in one query). */
  since(tenant: string, after: number): Promise<TenantBatch[]> {
    return this.catchUps.submit({ tenant, after });
  }

  /** The latest version of every tenant in the log. */
  async heads(): Promise<Map<string, number>> {
    const rows = await this.db.pool.query<{ tenant: string; version: string }>(
      'SELECT tenant, max(version) AS version FROM scv_mock_log GROUP BY tenant',
    );
    return new Map(rows.rows.map((row) => [row.tenant, Number(row.version)]));
  }

  /** Appends the commit; false when another replica already wrote the tenant's version (catch up and retry). */
  append(batch: TenantBatch): Promise<boolean> {
    return this.appends.submit(batch);
  }

  /** Resolves once every append and catch-up asked for so far is answered. */
  async drained(): Promise<void> {
    await Promise.all([this.appends.drained(), this.catchUps.drained()]);
  }

  private async appendAll(batches: readonly TenantBatch[]): Promise<boolean[]> {
    const written = await this.db.pool.query<{ tenant: string; version: string }>(
      `INSERT INTO scv_mock_log (tenant, version, mutations, replica)
         SELECT tenant, version, mutations, $4 FROM unnest($1::text[], $2::bigint[], $3::jsonb[]) AS b(tenant, version, mutations)
         ORDER BY tenant, version
       ON CONFLICT (tenant, version) DO NOTHING
       RETURNING tenant, version`,
      [
        batches.map((b) => b.tenant),
        batches.map((b) => b.version),
        batches.map((b) => JSON.stringify(b.mutations)),
        this.db.replica,
      ],
    );
    const done = new Set(written.rows.map((row) => `${row.version}\u0000${row.tenant}`));
    return batches.map((b) => done.has(`${b.version}\u0000${b.tenant}`));
  }

  private async readSince(asks: readonly { tenant: string; after: number }[]): Promise<TenantBatch[][]> {
    const rows = await this.db.pool.query<LogRow>(
      `SELECT l.seq, l.tenant, l.version, l.mutations
         FROM unnest($1::text[], $2::bigint[]) AS k(tenant, after)
         JOIN scv_mock_log l ON l.tenant = k.tenant AND l.version > k.after
        ORDER BY l.tenant, l.version`,
      [asks.map((a) => a.tenant), asks.map((a) => a.after)],
    );
    const byTenant = new Map<string, TenantBatch[]>();
    for (const row of rows.rows) {
      const batch = this.batchOf(row);
      const list = byTenant.get(batch.tenant);
      if (list === undefined) byTenant.set(batch.tenant, [batch]);
      // Two asks for one tenant join its rows twice; ordered by version, the copies are neighbours.
      else if (list.at(-1)!.version !== batch.version) list.push(batch);
    }
    return asks.map((ask) => (byTenant.get(ask.tenant) ?? []).filter((batch) => batch.version > ask.after));
  }

  private batchOf(row: LogRow): TenantBatch {
    if (!Array.isArray(row.mutations))
      throw new StoreDatabaseError(`${this.db.location}: log row ${row.seq} holds no list of changes.`);
    for (const mutation of row.mutations as unknown[]) {
      const problem = mutationProblem(mutation);
      if (problem !== null) throw new StoreDatabaseError(`${this.db.location}: log row ${row.seq} has ${problem}.`);
    }
    return { tenant: row.tenant, version: Number(row.version), mutations: row.mutations as Mutation[] };
  }
}
