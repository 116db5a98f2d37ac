/**
 * The store in PostgreSQL: a mock started with --store postgres://… keeps every tenant's commits there,
 * in tables it creates itself, and finds everything again after a restart; two stores on one database
 * share their tenants' state. A real, throwaway PostgreSQL server. (Replicas as separate processes, under
 * load and conflict: replicas.test.ts.)
 */
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthResponseSchema } from '../contracts/admin-schemas.ts';
import { openStore, type TelephonyStore } from '../mock-server/store/telephony-store.ts';
import { createCallForUpdate } from '../mock-server/domain/call-transitions.ts';
import { runCli, startCli } from './support/cli-process.ts';
import { createDatabase, startPostgresCluster, type PostgresCluster } from './support/postgres-cluster.ts';
import { CALL_FACTS } from './support/call-records.ts';
import { inboundCall, message, startMock } from './support/mock-harness.ts';

let cluster: PostgresCluster;
/** A fresh database of the cluster for each test. */
const freshDatabase = () => createDatabase(cluster, 'store');

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
    try {
      const tables = await client.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE tablename LIKE 'scv_mock_%' ORDER BY tablename",
      );
      expect(tables.rows.map((r) => r.tablename)).toEqual([
        'scv_mock_clock',
        'scv_mock_faults',
        'scv_mock_journal',
        'scv_mock_jti',
        'scv_mock_key',
        'scv_mock_log',
        'scv_mock_meta',
        'scv_mock_replica',
        'scv_mock_schema',
      ]);
      expect((await client.query('SELECT version FROM scv_mock_schema')).rows).toEqual([{ version: 6 }]);
    } finally {
      await client.end();
    }
  });

  it('two stores on one database: each sees what the other committed, ids never collide, the first write of a version wins', async () => {
    const url = await freshDatabase();
    const a = await openStore({ databaseUrl: url, seed: 'same' });
    const b = await openStore({ databaseUrl: url, seed: 'same' });
    try {
      const put = (store: TelephonyStore, key: string) =>
        store.transact('t', () => {
          if (store.legsByVendorKey('t', key).length > 0) return { mutations: [], result: 'exists' };
          const { call, conversation } = createCallForUpdate({ ...CALL_FACTS, vendorCallKey: key }, store.ids);
          return {
            mutations: [
              { op: 'put', collection: 'calls', record: call },
              { op: 'put', collection: 'conversations', record: conversation },
            ] as const,
            result: call.id,
          };
        });
      const onA = await put(a, 'one');
      const onB = await put(b, 'two');
      // Same seed, different replicas: the id blocks differ, so the ids do.
      expect(onA).not.toBe(onB);
      await a.sync('t');
      expect(a.legsByVendorKey('t', 'two')[0]?.id).toBe(onB);
      // Both write the same key at once: one creates it, the other runs again on the new state and finds it.
      const both = await Promise.all([put(a, 'same'), put(b, 'same')]);
      expect(both.filter((result) => result === 'exists')).toHaveLength(1);
      await Promise.all([a.sync('t'), b.sync('t')]);
      expect(a.legsByVendorKey('t', 'same')).toHaveLength(1);
      expect(b.legsByVendorKey('t', 'same')[0]?.id).toBe(a.legsByVendorKey('t', 'same')[0]?.id);
      expect(a.callCount('t')).toBe(3);
      expect(b.callCount('t')).toBe(3);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('one process with --seed issues the same ids on PostgreSQL as on a file', async () => {
    const url = await freshDatabase();
    const onDatabase = await openStore({ databaseUrl: url, seed: 'fixed' });
    const inMemory = await openStore({ seed: 'fixed' });
    try {
      // Ids are drawn inside writes (a replica tops its block up before each); 1,500 pass the first block of 1,000.
      const ids = async (store: TelephonyStore) => {
        const drawn: string[] = [];
        for (let i = 0; i < 30; i++) {
          const some = await store.transact('t', () => ({
            mutations: [],
            result: Array.from({ length: 50 }, () => store.ids.next('0LQ')),
          }));
          drawn.push(...some);
        }
        return drawn;
      };
      expect(await ids(onDatabase)).toEqual(await ids(inMemory));
      // One write that needs more ids than its block has left gets another block and runs again.
      const many = await onDatabase.transact('t', () => ({
        mutations: [],
        result: Array.from({ length: 2500 }, () => onDatabase.ids.next('0VR')),
      }));
      expect(new Set(many).size).toBe(2500);
    } finally {
      await onDatabase.close();
      await inMemory.close();
    }
  });

  it('names the row of a log entry of the wrong shape', async () => {
    const url = await freshDatabase();
    await (await openStore({ databaseUrl: url })).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      `INSERT INTO scv_mock_log (seq, tenant, version, replica, mutations) VALUES (7, 't', 1, 1, '[{"op": "put", "collection": "calls"}]')`,
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
