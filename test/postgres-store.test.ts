/**
 * The store in PostgreSQL (issue 16, first step): a mock started with --store postgres://… keeps its
 * log there, in tables it creates itself, and finds everything again after a restart; a second process on
 * the same database is refused until replicas can share it. A real, throwaway PostgreSQL server.
 */
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthResponseSchema } from '../contracts/admin-schemas.ts';
import { StoreDatabaseError } from '../mock-server/store/postgres-persistence.ts';
import { openStore } from '../mock-server/store/telephony-store.ts';
import { runCli, startCli } from './support/cli-process.ts';
import { startPostgresCluster, type PostgresCluster } from './support/postgres-cluster.ts';
import { inboundCall, message, startMock } from './support/mock-harness.ts';

let cluster: PostgresCluster;
let database = 0;
/** A fresh database of the cluster for each test. */
async function freshDatabase(): Promise<string> {
  const name = `store_${++database}`;
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}

beforeAll(async () => {
  cluster = await startPostgresCluster();
}, 600_000);
afterAll(async () => cluster?.stop());

describe('--store postgres://', () => {
  it('keeps calls, transcripts and ids across a restart, in tables the mock creates', async () => {
    const url = await freshDatabase();
    const first = await startMock({ storeUrl: url });
    await first.post('/voiceCalls', inboundCall('kept')).expect(201);
    await first.patch('/voiceCalls/kept', { isActiveCall: true }).expect(200);
    await first.post('/voiceCalls/kept/messages', message('m1')).expect(202);
    const health = healthResponseSchema.parse((await request(first.server.app).get('/__admin/health')).body);
    expect(health.store).toBe('postgres');
    const firstId = first.server.store.legsByVendorKey(first.tenant.key, 'kept')[0]!.id;
    await first.server.close();

    const second = await startMock({ storeUrl: url });
    try {
      const call = second.server.store.legsByVendorKey(second.tenant.key, 'kept')[0]!;
      expect(call.id).toBe(firstId);
      expect(second.server.store.transcriptsOf(second.tenant.key, call.conversationId)).toHaveLength(1);
      await second.post('/voiceCalls', inboundCall('after')).expect(201);
      expect(second.server.store.legsByVendorKey(second.tenant.key, 'after')[0]!.id).not.toBe(firstId);
    } finally {
      await second.server.close();
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const tables = await client.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE tablename LIKE 'scv_mock_%' ORDER BY tablename",
    );
    expect(tables.rows.map((r) => r.tablename)).toEqual(['scv_mock_log', 'scv_mock_schema']);
    expect((await client.query('SELECT version FROM scv_mock_schema')).rows).toEqual([{ version: 1 }]);
    await client.end();
  });

  it('refuses a second process on the same database, saying why', async () => {
    const url = await freshDatabase();
    const first = await openStore({ databaseUrl: url });
    try {
      await expect(openStore({ databaseUrl: url })).rejects.toThrow(StoreDatabaseError);
      await expect(openStore({ databaseUrl: url })).rejects.toThrow(/another scv-mock process already uses the store/);
    } finally {
      await first.close();
    }
    // Once the first is gone, the lock goes with its session.
    const again = await openStore({ databaseUrl: url });
    await again.close();
  });

  it('names the row of a log entry of the wrong shape', async () => {
    const url = await freshDatabase();
    await (await openStore({ databaseUrl: url })).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      `INSERT INTO scv_mock_log (seq, mutations) VALUES (7, '[{"op": "put", "collection": "calls"}]')`,
    );
    await client.end();
    await expect(openStore({ databaseUrl: url })).rejects.toThrow(/log row 7 has/);
  });

  it('from the command line: the banner hides the password; a bad URL or an unreachable server is a clear message', async () => {
    const url = await freshDatabase();
    const withPassword = url.replace('postgres@', 'postgres:secret@');
    const cli = await startCli(['--store', withPassword, '--quiet']);
    try {
      expect(cli.output()).toMatch(/store: +PostgreSQL postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
      expect(cli.output()).not.toContain('secret');
    } finally {
      await cli.stop();
    }
    const notUrl = await runCli(['start', '--store', 'mydb', '--port', '0']);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toMatch(/not a PostgreSQL URL/);
    const both = await runCli(['start', '--store', url, '--in-memory', '--port', '0']);
    expect(both.stderr).toMatch(/exclude each other/);
    const down = await runCli(['start', '--store', 'postgres://postgres@127.0.0.1:1/x', '--port', '0']);
    expect(down.code).toBe(1);
    expect(down.stderr + down.stdout).toMatch(
      /cannot connect to the store database postgres:\/\/postgres@127\.0\.0\.1:1\/x/,
    );
  });
});
