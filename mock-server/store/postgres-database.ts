/**
 * The PostgreSQL database replicas share (--store postgres://…): the connection pool, the schema the
 * mock creates and migrates itself, and this process's replica number. The tables' own queries live with
 * what they hold (shared-log.ts for the store).
 */
import { hostname } from 'node:os';
import type { Pool, PoolClient } from 'pg';

/** The schema versions, in order: each entry brings the schema from the previous version to its own. */
const MIGRATIONS: readonly string[] = [
  // The store: every tenant's commits, in the tenant's order (version), from any replica; the id seed;
  // blocks of id counters (a sequence, so replicas never share one); the replicas that started.
  `CREATE TABLE scv_mock_log (
     seq bigserial PRIMARY KEY,
     tenant text NOT NULL,
     version bigint NOT NULL,
     mutations jsonb NOT NULL,
     replica integer NOT NULL,
     written_at timestamptz NOT NULL DEFAULT now(),
     UNIQUE (tenant, version)
   );
   CREATE TABLE scv_mock_meta (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), id_seed text NOT NULL);
   CREATE SEQUENCE scv_mock_id_blocks INCREMENT BY 1000;
   CREATE TABLE scv_mock_replica (
     id serial PRIMARY KEY,
     host text NOT NULL,
     pid integer NOT NULL,
     started_at timestamptz NOT NULL DEFAULT now()
   )`,
  // The request journal every replica writes to: each replica numbers its own rows (n) and writes them in
  // that order, so a reader that has a replica's row n has all of them before it. A row without an entry
  // marks where the tenant's journal was cleared.
  `CREATE TABLE scv_mock_journal (
     seq bigserial PRIMARY KEY,
     replica integer NOT NULL,
     n bigint NOT NULL,
     tenant text NOT NULL,
     entry jsonb,
     UNIQUE (replica, n)
   );
   CREATE INDEX scv_mock_journal_of_tenant ON scv_mock_journal (tenant, replica, n)`,
  // What tokens and keys share: the token ids seen (until their token expires), and keys registered at
  // runtime on any replica.
  `CREATE TABLE scv_mock_jti (
     scope text NOT NULL,
     jti text NOT NULL,
     expires_at bigint NOT NULL,
     PRIMARY KEY (scope, jti)
   );
   CREATE INDEX scv_mock_jti_by_expiry ON scv_mock_jti (expires_at);
   CREATE TABLE scv_mock_key (
     seq bigserial PRIMARY KEY,
     pem text NOT NULL,
     call_center text NOT NULL,
     name text NOT NULL,
     org_id text
   )`,
  // Settings every replica follows: the mock's clock.
  `CREATE TABLE scv_mock_clock (
     only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
     offset_ms bigint NOT NULL,
     frozen_at bigint
   )`,
  // Each tenant's fault rules, with their counts and random sequences, and how many it was ever given (ids).
  `CREATE TABLE scv_mock_faults (
     tenant text PRIMARY KEY,
     faults jsonb NOT NULL,
     issued integer NOT NULL
   )`,
  // When a runtime key was registered, so every replica shows the same time.
  `ALTER TABLE scv_mock_key ADD COLUMN registered_at timestamptz NOT NULL DEFAULT now()`,
];

/** The size of the id blocks the sequence hands out (its INCREMENT BY). */
export const ID_BLOCK = 1000;

/** The advisory lock (two int4s: "scv-mock", schema) taken while the schema is migrated. */
const MIGRATION_LOCK = [0x5c4d, 2] as const;

/** The store's database cannot be used: the message says why and what to do. */
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

export class PostgresDatabase {
  private constructor(
    readonly pool: Pool,
    readonly url: string,
    /** This process's number among the replicas that ever started on the database. */
    readonly replica: number,
  ) {}

  get location(): string {
    return shownUrl(this.url);
  }

  /** Connects, brings the schema up to date and registers this process as a replica. */
  static async open(url: string): Promise<PostgresDatabase> {
    // Loaded here, not with the module: a mock on a file (most of them) never pays for the driver.
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 10_000, max: 8 });
    // A server that goes away later must not crash the process: queries fail (503) instead.
    pool.on('error', () => undefined);
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new StoreDatabaseError(
        `cannot connect to the store database ${shownUrl(url)} (${(error as Error).message}). Check --store, and that the server is up.`,
      );
    }
    try {
      await migrate(client, shownUrl(url));
      const registered = await client.query<{ id: number }>(
        'INSERT INTO scv_mock_replica (host, pid) VALUES ($1, $2) RETURNING id',
        [hostname(), process.pid],
      );
      client.release();
      return new PostgresDatabase(pool, url, registered.rows[0]!.id);
    } catch (error) {
      client.release();
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

/** Runs the migrations this database lacks, one replica at a time (others wait on the lock, then find them done). */
async function migrate(client: PoolClient, location: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS scv_mock_schema (version integer NOT NULL)');
    const current = await client.query<{ version: number }>('SELECT version FROM scv_mock_schema');
    let version = current.rows[0]?.version ?? 0;
    if (version > MIGRATIONS.length) {
      throw new StoreDatabaseError(
        `${location} holds a store of schema version ${version}, newer than this mock knows (${MIGRATIONS.length}). Use a newer scv-telephony-mock, or another database.`,
      );
    }
    for (; version < MIGRATIONS.length; version++) await client.query(MIGRATIONS[version]!);
    await client.query('DELETE FROM scv_mock_schema');
    await client.query('INSERT INTO scv_mock_schema VALUES ($1)', [version]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
