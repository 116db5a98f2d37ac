/**
 * The journal of replicas (--store postgres://…): every replica writes its entries to one table and keeps
 * a copy of every tenant's journal in its own RequestJournal, taking other replicas' entries before it
 * answers a read of the journal (and when the database says a tenant has new ones, for live dashboards).
 * So `verify` on any replica sees the requests every replica answered.
 *
 * Each replica numbers its rows (n) and writes them one statement after the other, so a reader that has a
 * replica's row n has all its rows before n: per tenant and replica, "after n" is the whole catch-up.
 */
import type { Client } from 'pg';
import type { JournalEntry } from '../../contracts/admin-schemas.ts';
import type { Logger } from '../http/logger.ts';
import type { PostgresDatabase } from '../store/postgres-database.ts';
import { TenantLanes } from '../store/tenant-lanes.ts';
import { TurnBatcher } from '../store/turn-batcher.ts';
import { unavailableOnError } from '../store/store-unavailable.ts';
import type { JournalWriter } from './journal-writer.ts';
import type { RequestJournal } from './request-journal.ts';

const CHANNEL = 'scv_mock_journal';

interface JournalRow {
  tenant: string;
  n: number;
  /** null: the tenant's journal was cleared. */
  entry: Omit<JournalEntry, 'seq'> | null;
}

export class SharedJournal implements JournalWriter {
  private n = 0;
  private readonly writes: TurnBatcher<JournalRow, number>;
  /** Per tenant, per replica: the last row taken. */
  private readonly taken = new Map<string, Map<number, number>>();
  private readonly lanes = new TenantLanes();
  /** Rows written per tenant since its rows past the journal's capacity were last deleted. */
  private readonly sincePrune = new Map<string, number>();
  private listener: Client | null = null;

  constructor(
    private readonly db: PostgresDatabase,
    readonly journal: RequestJournal,
    private readonly logger: Logger,
  ) {
    this.writes = new TurnBatcher((rows) => this.insert(rows), true);
  }

  /**
   * Writes the entry for every replica; resolves once it is in the table and in this replica's journal.
   * The body's text is not kept here: the other replicas take the entry from the table, with the value,
   * and every replica's copy must weigh the same against --journal-bytes.
   */
  async record(entry: Omit<JournalEntry, 'seq'>): Promise<void> {
    if (!this.journal.enabled) return;
    const seq = await this.writes.submit({ tenant: entry.tenant, n: ++this.n, entry });
    this.journal.record(entry, seq);
  }

  /** Takes the entries other replicas wrote for the tenant since this one last looked. */
  sync(tenant: string): Promise<void> {
    if (!this.journal.enabled) return Promise.resolve();
    return this.lanes.run(
      tenant,
      () => unavailableOnError(() => this.take(tenant)),
      () => Promise.resolve(),
    );
  }

  /** Clears the tenant's journal on every replica; resolves to how many entries this replica held. */
  clear(tenant: string): Promise<number> {
    return unavailableOnError(async () => {
      const seq = await this.writes.submit({ tenant, n: ++this.n, entry: null });
      await this.db.pool.query('DELETE FROM scv_mock_journal WHERE tenant = $1 AND seq < $2', [tenant, seq]);
      return this.journal.clear(tenant, seq);
    });
  }

  /** The tenants with entries in the shared journal: those that reached any replica. */
  tenants(): Promise<string[]> {
    return unavailableOnError(async () => {
      const rows = await this.db.pool.query<{ tenant: string }>('SELECT DISTINCT tenant FROM scv_mock_journal');
      return rows.rows.map((row) => row.tenant);
    });
  }

  /** Listens for other replicas' entries, so that a dashboard on this replica shows them as they come. */
  async listen(): Promise<void> {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: this.db.url });
    client.on('error', (error) => this.logger.warn(`the journal's listener lost the database: ${error.message}`));
    client.on('notification', (message) => {
      const tenant = message.payload;
      if (tenant === undefined || !this.journal.hasListeners(tenant)) return;
      this.sync(tenant).catch((error: unknown) => {
        this.logger.warn(`could not read other replicas' journal entries: ${(error as Error).message}`);
      });
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  async close(): Promise<void> {
    await this.writes.drained();
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
  }

  private async insert(rows: readonly JournalRow[]): Promise<number[]> {
    const written = await this.db.pool.query<{ seq: string }>(
      `INSERT INTO scv_mock_journal (replica, n, tenant, entry)
         SELECT $1, n, tenant, entry FROM unnest($2::bigint[], $3::text[], $4::jsonb[]) WITH ORDINALITY AS r(n, tenant, entry, i)
         ORDER BY i
       RETURNING seq`,
      [
        this.db.replica,
        rows.map((row) => row.n),
        rows.map((row) => row.tenant),
        rows.map((row) => (row.entry === null ? null : JSON.stringify(row.entry))),
      ],
    );
    const tenants = [...new Set(rows.map((row) => row.tenant))];
    // Not awaited by the answer: only live dashboards on other replicas wait for it.
    this.db.pool
      .query('SELECT pg_notify($1, tenant) FROM unnest($2::text[]) AS t(tenant)', [CHANNEL, tenants])
      .catch(() => undefined);
    this.prune(rows);
    // RETURNING gives the rows in the order they were inserted, which ORDER BY i made the order given.
    return written.rows.map((row) => Number(row.seq)).sort((a, b) => a - b);
  }

  /** Deletes a tenant's rows beyond the journal's capacity, now and then (every tenth of it). */
  private prune(rows: readonly JournalRow[]): void {
    const { capacity } = this.journal;
    for (const row of rows) {
      const count = (this.sincePrune.get(row.tenant) ?? 0) + 1;
      if (count < Math.max(1, Math.floor(capacity / 10))) {
        this.sincePrune.set(row.tenant, count);
        continue;
      }
      this.sincePrune.delete(row.tenant);
      this.db.pool
        .query(
          `DELETE FROM scv_mock_journal WHERE tenant = $1 AND seq <
             (SELECT seq FROM scv_mock_journal WHERE tenant = $1 ORDER BY seq DESC OFFSET $2 LIMIT 1)`,
          [row.tenant, capacity],
        )
        .catch((error: unknown) => this.logger.warn(`could not trim the shared journal: ${(error as Error).message}`));
    }
  }

  private async take(tenant: string): Promise<void> {
    let taken = this.taken.get(tenant);
    if (taken === undefined) this.taken.set(tenant, (taken = new Map<number, number>()));
    const rows = await this.db.pool.query<{ seq: string; replica: number; n: string; entry: unknown }>(
      `SELECT j.seq, j.replica, j.n, j.entry
         FROM scv_mock_journal j
         LEFT JOIN unnest($2::int[], $3::bigint[]) AS t(replica, n) ON t.replica = j.replica
        WHERE j.tenant = $1 AND j.replica <> $4 AND j.n > COALESCE(t.n, 0)
        ORDER BY j.seq`,
      [tenant, [...taken.keys()], [...taken.values()], this.db.replica],
    );
    for (const row of rows.rows) {
      const seq = Number(row.seq);
      if (row.entry === null) {
        this.journal.clear(tenant, seq);
        this.journal.announce(tenant, { kind: 'reset' });
      } else this.journal.record(row.entry as Omit<JournalEntry, 'seq'>, seq);
      taken.set(row.replica, Math.max(taken.get(row.replica) ?? 0, Number(row.n)));
    }
  }
}
