/**
 * The store's log in PostgreSQL (--store postgres://…): the same batches the file store appends to its
 * write-ahead log, one row each, in a schema the mock creates and migrates itself. At start every batch is
 * replayed into the in-memory indexes, so reads stay local and synchronous; a commit resolves once its row
 * is in. One process per database for now: a session advisory lock keeps a second one out (it would
 * issue the same ids), until replicas that share the log arrive.
 */
import type { Client } from 'pg';
import type { Mutation } from './records.ts';
import { mutationProblem } from './record-shape.ts';
import type { LoadedState, LoggedBatch } from './file-persistence.ts';

/** The schema versions, in order: each entry brings the schema from the previous version to its own. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE scv_mock_log (
     seq bigint PRIMARY KEY,
     mutations jsonb NOT NULL,
     written_at timestamptz NOT NULL DEFAULT now()
   )`,
];

/** The advisory lock's key (two int4s): "scv-mock", store. */
const LOCK = [0x5c4d, 1] as const;

/** The store cannot be opened: the message says why and what to do. */
export class StoreDatabaseError extends Error {}

/** A URL as it may be shown in logs: without its password. */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(not a URL)';
  }
}

export class PostgresPersistence {
  readonly kind = 'postgres';
  private client: Client | null = null;
  private pending: Array<{ batch: LoggedBatch; resolve: () => void; reject: (error: Error) => void }> = [];
  private flushScheduled = false;
  private writes: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(readonly url: string) {}

  get location(): string {
    return shownUrl(this.url);
  }

  /** Connects, takes the lock, brings the schema up to date and hands every logged batch back, in order. */
  async load(): Promise<LoadedState> {
    // Loaded here, not with the module: a mock on a file (most of them) never pays for the driver.
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 10_000 });
    // A server that goes away later must not crash the process: commits fail (503) instead.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      throw new StoreDatabaseError(
        `cannot connect to the store database ${this.location} (${(error as Error).message}). Check --store, and that the server is up.`,
      );
    }
    this.client = client;
    const locked = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [...LOCK]);
    if (locked.rows[0]?.locked !== true) {
      throw new StoreDatabaseError(
        `another scv-mock process already uses the store in ${this.location}. Several processes sharing one ` +
          'database are not supported yet: stop the other one, or give this one another database.',
      );
    }
    await this.migrate(client);
    const rows = await client.query<{ seq: string; mutations: unknown }>(
      'SELECT seq, mutations FROM scv_mock_log ORDER BY seq',
    );
    const batches: LoggedBatch[] = [];
    for (const row of rows.rows) {
      const seq = Number(row.seq);
      if (!Array.isArray(row.mutations))
        throw new StoreDatabaseError(`${this.location}: log row ${seq} holds no list of changes.`);
      for (const mutation of row.mutations as unknown[]) {
        const problem = mutationProblem(mutation);
        if (problem !== null) throw new StoreDatabaseError(`${this.location}: log row ${seq} has ${problem}.`);
      }
      batches.push({ seq, mutations: row.mutations as Mutation[] });
    }
    return { snapshot: null, batches, droppedTail: 0, interruptedCompaction: false };
  }

  private async migrate(client: Client): Promise<void> {
    await client.query('CREATE TABLE IF NOT EXISTS scv_mock_schema (version integer NOT NULL)');
    const current = await client.query<{ version: number }>('SELECT version FROM scv_mock_schema');
    let version = current.rows[0]?.version ?? 0;
    if (version > MIGRATIONS.length) {
      throw new StoreDatabaseError(
        `${this.location} holds a store of schema version ${version}, newer than this mock knows (${MIGRATIONS.length}). Use a newer scv-telephony-mock, or another database.`,
      );
    }
    for (; version < MIGRATIONS.length; version++) {
      await client.query('BEGIN');
      await client.query(MIGRATIONS[version]!);
      await client.query(
        version === 0 ? 'INSERT INTO scv_mock_schema VALUES ($1)' : 'UPDATE scv_mock_schema SET version = $1',
        [version + 1],
      );
      await client.query('COMMIT');
    }
  }

  /** Resolves once the batch's row is written; the batches of one turn of the event loop go in one INSERT. */
  append(batch: LoggedBatch): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.writes = this.writes.then(() => this.flush());
        });
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      if (this.client === null || this.closed) throw new Error('the store is closed');
      await this.client.query(
        'INSERT INTO scv_mock_log (seq, mutations) SELECT * FROM unnest($1::bigint[], $2::jsonb[])',
        [batch.map((b) => b.batch.seq), batch.map((b) => JSON.stringify(b.batch.mutations))],
      );
      for (const waiting of batch) waiting.resolve();
    } catch (error) {
      for (const waiting of batch) waiting.reject(error as Error);
    }
  }

  /** The log is the store: there is no snapshot to write. */
  setSnapshotSource(): void {}

  async compact(): Promise<void> {}

  /** Disconnects without writing anything (the lock goes with the session). */
  async release(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  /** Writes what is pending, then disconnects. */
  async close(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    await this.writes;
    await this.flush();
    await this.release();
  }
}
