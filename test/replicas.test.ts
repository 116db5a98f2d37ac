/**
 * Replicas: two real `scv-mock start` processes on one PostgreSQL database serve the same tenants with the
 * same answers as one process. Requests alternate between them as a load balancer would send them, and
 * the races the issue names are run at once on both: the same vendorCallKey, the same messageId, omniFlow,
 * and the tenant's call limit. Killing one replica mid-load loses no acknowledged write.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyMaterial } from '../mock-server/auth/keygen.ts';
import { signToken } from '../mock-server/auth/token-signer.ts';
import { startCli, type RunningMock } from './support/cli-process.ts';
import { createDatabase, startPostgresCluster, type PostgresCluster } from './support/postgres-cluster.ts';
import { loadRequestScripts } from '../mock-server/conformance/conformance-runner.ts';
import { DEFAULT_ORG, inboundCall, loadScript, message } from './support/mock-harness.ts';

let cluster: PostgresCluster;
const token = await signToken({ orgId: DEFAULT_ORG, callCenterApiName: 'MyContactCenter', ttlSeconds: 3600 });

const freshDatabase = () => createDatabase(cluster, 'replicas');

interface Answer {
  status: number;
  body: unknown;
}

async function send(
  mock: RunningMock,
  method: string,
  path: string,
  body?: unknown,
  bearer: string = token,
): Promise<Answer> {
  const res = await fetch(`${mock.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

const api = (mock: RunningMock, method: string, path: string, body?: unknown) =>
  send(mock, method, `/telephony/v1${path}`, body);

/** The database each replica was started on. */
const databaseOf = new Map<RunningMock, string>();

/** Two replicas on a fresh database (and the flags given to both). */
async function twoReplicas(flags: string[] = []): Promise<[RunningMock, RunningMock]> {
  const url = await freshDatabase();
  const a = await startCli(['--store', url, '--seed', 'replicas', '--quiet', ...flags]);
  const b = await startCli(['--store', url, '--seed', 'replicas', '--quiet', ...flags]).catch(async (error) => {
    await a.stop();
    throw error;
  });
  databaseOf.set(a, url).set(b, url);
  return [a, b];
}

const stopAll = (...mocks: RunningMock[]) => Promise.all(mocks.map((mock) => mock.stop()));

/**
 * A call's state with its ids and the mock's own timestamps replaced by placeholders in order of
 * appearance: replicas issue ids from different blocks, so two runs compare by shape and order.
 */
function comparable(value: unknown): unknown {
  const ids = new Map<string, string>();
  const text = JSON.stringify(value)
    .replace(/\b0[0-9A-Za-z]{2}SM0[0-9A-Za-z]{12}\b/g, (id) => {
      if (!ids.has(id)) ids.set(id, `<id${ids.size}>`);
      return ids.get(id)!;
    })
    .replace(/20(2[5-9]|[3-9]\d)-\d\d-\d\dT[\d:.]+Z/g, '<now>');
  return JSON.parse(text) as unknown;
}

/** The seed's voicemail sequence with a transcript: each step goes to the replica `on` picks. */
async function voicemailSequence(on: (step: number) => RunningMock, key: string): Promise<number[]> {
  const steps: Array<[string, string, unknown]> = [
    ['POST', '/voiceCalls', inboundCall(key)],
    ['PATCH', `/voiceCalls/${key}`, { isActiveCall: true }],
    ['POST', `/voiceCalls/${key}/messages`, message('m1')],
    ['POST', `/voiceCalls/${key}/messages`, message('m2')],
    ['PATCH', `/voiceCalls/${key}`, { callOrigin: 'Voicemail' }],
    ['PATCH', `/voiceCalls/${key}/omniFlow`, { flowDevName: 'Support_Routing_Flow', fallbackQueue: 'Support_Queue' }],
    ['PATCH', `/voiceCalls/${key}`, { endTime: '2022-08-02T17:40:00Z', isActiveCall: false }],
  ];
  const statuses: number[] = [];
  for (const [i, [method, path, body]] of steps.entries()) statuses.push((await api(on(i), method, path, body)).status);
  return statuses;
}

beforeAll(async () => {
  cluster = await startPostgresCluster();
}, 600_000);
afterAll(async () => cluster?.stop());

describe('two replicas on one database', () => {
  it('a call made on both, step by step, is the call one process makes; either replica shows it', async () => {
    const [a, b] = await twoReplicas();
    const single = await startCli(['--in-memory', '--seed', 'replicas', '--quiet']);
    try {
      const alternating = await voicemailSequence((step) => (step % 2 === 0 ? a : b), 'vm');
      const alone = await voicemailSequence(() => single, 'vm');
      expect(alternating).toEqual(alone);
      expect(alone.every((status) => status < 300)).toBe(true);
      const onA = await send(a, 'GET', '/__admin/calls/vm');
      const onB = await send(b, 'GET', '/__admin/calls/vm');
      const one = await send(single, 'GET', '/__admin/calls/vm');
      expect(onA.status).toBe(200);
      expect(onA.body).toEqual(onB.body);
      expect(comparable(onA.body)).toEqual(comparable(one.body));
    } finally {
      await stopAll(a, b, single);
    }
  });

  it('every request script, its steps alternating between replicas, makes the calls one process makes and passes its scenario', async () => {
    const [a, b] = await twoReplicas();
    const single = await startCli(['--in-memory', '--seed', 'replicas', '--quiet']);
    try {
      for (const script of loadRequestScripts()) {
        const center = script.contactCenter ?? 'MyContactCenter';
        const bearer = await signToken({ orgId: DEFAULT_ORG, callCenterApiName: center, ttlSeconds: 3600 });
        const play = async (on: (step: number) => RunningMock) => {
          const statuses: number[] = [];
          for (const [i, step] of script.steps.entries()) {
            const answer = await send(on(i), step.method, `/telephony/v1${step.path}`, step.body, bearer);
            statuses.push(answer.status);
          }
          return statuses;
        };
        const alternating = await play((i) => (i % 2 === 0 ? a : b));
        expect(alternating, script.name).toEqual(script.steps.map((step) => step.expect.status));
        expect(await play(() => single), script.name).toEqual(alternating);
        const calls = async (on: RunningMock) => (await send(on, 'GET', '/__admin/calls', undefined, bearer)).body;
        const onB = await calls(b);
        expect(await calls(a), script.name).toEqual(onB);
        expect(comparable(onB), script.name).toEqual(comparable(await calls(single)));
        const key = (script.steps[0]!.body as { vendorCallKey: string }).vendorCallKey;
        const verdict = await send(
          a,
          'POST',
          '/__admin/verify',
          { scenario: script.scenario, vendorCallKey: key },
          bearer,
        );
        expect(verdict.body, script.name).toMatchObject({ ok: true });
      }
    } finally {
      await stopAll(a, b, single);
    }
  });

  it('retention evicts once, wherever the calls were made', async () => {
    const [a, b] = await twoReplicas(['--retain-calls', '2']);
    try {
      for (let i = 0; i < 5; i++) {
        const on = i % 2 === 0 ? a : b;
        expect((await api(on, 'POST', '/voiceCalls', inboundCall(`r-${i}`))).status).toBe(201);
        const closed = await api(i % 2 === 0 ? b : a, 'PATCH', `/voiceCalls/r-${i}`, {
          endTime: '2022-08-02T17:40:00Z',
          isActiveCall: false,
        });
        expect(closed.status).toBe(200);
      }
      for (const replica of [a, b]) {
        const list = (await send(replica, 'GET', '/__admin/calls')).body as {
          conversations: Array<{ firstVendorCallKey: string }>;
        };
        expect(list.conversations.map((c) => c.firstVendorCallKey)).toEqual(['r-3', 'r-4']);
      }
    } finally {
      await stopAll(a, b);
    }
  });

  it('verify on either replica sees the requests both answered; a clear on one clears both', async () => {
    const [a, b] = await twoReplicas();
    try {
      const seed = loadScript('voicemail-seed');
      for (const [i, step] of seed.steps.entries()) {
        const answer = await api(i % 2 === 0 ? a : b, step.method, step.path, step.body);
        expect(answer.status).toBe(step.expect.status);
      }
      const key = (seed.steps[0]!.body as { vendorCallKey: string }).vendorCallKey;
      for (const replica of [a, b]) {
        const report = await send(replica, 'POST', '/__admin/verify', { scenario: 'voicemail', vendorCallKey: key });
        expect(report.status).toBe(200);
        expect(report.body).toMatchObject({ ok: true, problems: [] });
        const journal = (await send(replica, 'GET', '/__admin/journal')).body as { entries: Array<{ seq: number }> };
        expect(journal.entries).toHaveLength(seed.steps.length);
        // In one order on both: the database numbers the entries.
        const seqs = journal.entries.map((entry) => entry.seq);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      }
      expect((await send(b, 'GET', '/__admin/journal')).body).toEqual((await send(a, 'GET', '/__admin/journal')).body);
      expect((await send(a, 'DELETE', '/__admin/journal')).body).toMatchObject({ cleared: seed.steps.length });
      expect(((await send(b, 'GET', '/__admin/journal')).body as { entries: unknown[] }).entries).toEqual([]);
      // What comes after the clear is kept, whichever replica answered it.
      await api(b, 'GET', `/voiceCalls/${key}`);
      expect(((await send(a, 'GET', '/__admin/journal')).body as { entries: unknown[] }).entries).toHaveLength(1);
    } finally {
      await stopAll(a, b);
    }
  });

  it("a dashboard's stream on one replica shows the requests the other answers", async () => {
    const [a, b] = await twoReplicas();
    const aborted = new AbortController();
    try {
      const stream = await fetch(`${a.baseUrl}/__admin/stream`, {
        headers: { Authorization: `Bearer ${token}` },
        signal: aborted.signal,
      });
      const reader = stream.body!.getReader();
      let seen = '';
      const read = (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          seen += new TextDecoder().decode(value);
        }
      })().catch(() => undefined);
      await expect.poll(() => seen).toContain('event: hello');
      expect((await api(b, 'POST', '/voiceCalls', inboundCall('seen-elsewhere'))).status).toBe(201);
      await expect.poll(() => seen, { timeout: 10_000 }).toContain('seen-elsewhere');
      aborted.abort();
      await read;
    } finally {
      await stopAll(a, b);
    }
  });

  it('a token id used on one replica is a replay on the other', async () => {
    const [a, b] = await twoReplicas();
    try {
      const once = await signToken({ orgId: DEFAULT_ORG, callCenterApiName: 'MyContactCenter', jti: true });
      expect((await send(a, 'POST', '/telephony/v1/voiceCalls', inboundCall('jti-1'), once)).status).toBe(201);
      const replay = await send(b, 'POST', '/telephony/v1/voiceCalls', inboundCall('jti-2'), once);
      expect(replay.status).toBe(401);
      expect(replay.body).toMatchObject({ errorCode: 'AUTH_REPLAYED_JTI' });
      // The same token sent to both at once: one is accepted.
      const raced = await signToken({ orgId: DEFAULT_ORG, callCenterApiName: 'MyContactCenter', jti: true });
      const statuses = await Promise.all(
        [a, b].map(
          async (replica, i) =>
            (await send(replica, 'GET', `/telephony/v1/voiceCalls/jti-1?i=${i}`, undefined, raced)).status,
        ),
      );
      expect(statuses.filter((status) => status === 401)).toHaveLength(1);
    } finally {
      await stopAll(a, b);
    }
  });

  it('a key registered on one replica verifies tokens on the other, and both list it', async () => {
    const [a, b] = await twoReplicas();
    try {
      const team = generateKeyMaterial();
      const orgId = '00D000000000777';
      const registered = await send(a, 'POST', '/__admin/keys', {
        callCenterApiName: 'MyContactCenter',
        orgId,
        publicKey: team.publicKeyPem,
      });
      expect(registered.status).toBe(201);
      const teamToken = await signToken({
        orgId,
        callCenterApiName: 'MyContactCenter',
        privateKeyPem: team.privateKeyPem,
      });
      expect((await send(b, 'POST', '/telephony/v1/voiceCalls', inboundCall('team'), teamToken)).status).toBe(201);
      const listed = (await send(b, 'GET', '/__admin/keys')).body as {
        keys: Array<{ orgId: string | null; registeredAt: string }>;
      };
      expect(listed.keys.filter((key) => key.orgId === orgId)).toEqual([
        expect.objectContaining({ registeredAt: (registered.body as { registeredAt: string }).registeredAt }),
      ]);
      // A token signed with a key no replica has is still refused.
      const stranger = generateKeyMaterial();
      const strangerToken = await signToken({
        orgId,
        callCenterApiName: 'MyContactCenter',
        privateKeyPem: stranger.privateKeyPem,
      });
      const refused = await send(b, 'POST', '/telephony/v1/voiceCalls', inboundCall('stranger'), strangerToken);
      expect(refused.body).toMatchObject({ errorCode: 'AUTH_BAD_SIGNATURE' });
    } finally {
      await stopAll(a, b);
    }
  });

  it('a clock change made through one replica is in force on the other when it is answered, and on one started later', async () => {
    const [a, b] = await twoReplicas();
    let c: RunningMock | undefined;
    try {
      const set = '2022-08-02T17:32:30.000Z';
      const changed = await send(a, 'POST', '/__admin/clock', { set, freeze: true });
      expect(changed.body).toMatchObject({ now: set, frozen: true });
      expect((await send(b, 'GET', '/__admin/clock')).body).toMatchObject({ now: set, frozen: true });
      // A token issued at the mock's time (in 2022) passes B's expiry check.
      const then = await signToken({
        orgId: DEFAULT_ORG,
        callCenterApiName: 'MyContactCenter',
        issuedAt: Date.parse(set) / 1000,
        ttlSeconds: 3600,
      });
      expect((await send(b, 'POST', '/telephony/v1/voiceCalls', inboundCall('in-2022'), then)).status).toBe(201);
      c = await startCli(['--store', databaseOf.get(a)!, '--quiet']);
      expect((await send(c, 'GET', '/__admin/clock')).body).toMatchObject({ now: set, frozen: true });
      await send(b, 'POST', '/__admin/clock', { reset: true });
      expect((await send(a, 'GET', '/__admin/clock')).body).toMatchObject({ frozen: false, offsetMs: 0 });
    } finally {
      await stopAll(a, b, ...(c === undefined ? [] : [c]));
    }
  });

  it('a fault rule added on one replica acts on both, and its count holds across them', async () => {
    const [a, b] = await twoReplicas();
    try {
      const added = await send(a, 'POST', '/__admin/faults', {
        match: { operation: 'createVoiceCall' },
        action: { status: 503, retryAfter: 1 },
        times: 3,
      });
      expect(added.status).toBe(201);
      // One create after the other, alternating: the first three meet it, wherever they land.
      const inTurn: number[] = [];
      for (let i = 0; i < 6; i++)
        inTurn.push((await api(i % 2 === 0 ? b : a, 'POST', '/voiceCalls', inboundCall(`t-${i}`))).status);
      expect(inTurn).toEqual([503, 503, 503, 201, 201, 201]);
      await send(a, 'POST', '/__admin/faults', {
        match: { operation: 'createVoiceCall' },
        action: { status: 503, retryAfter: 1 },
        times: 3,
      });
      // Six creates at once, three on each replica: exactly three meet the fault.
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => api(i % 2 === 0 ? a : b, 'POST', '/voiceCalls', inboundCall(`f-${i}`))),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses).toEqual([201, 201, 201, 503, 503, 503]);
      const listed = (await send(b, 'GET', '/__admin/faults')).body as {
        faults: Array<{ injected: number; spent: boolean }>;
      };
      expect(listed.faults).toMatchObject([
        { injected: 3, spent: true },
        { injected: 3, spent: true },
      ]);
      // Cleared on B: A's next create is not faulted.
      expect((await send(b, 'DELETE', '/__admin/faults')).status).toBe(200);
      await send(a, 'POST', '/__admin/faults', { action: { status: 500 }, times: 1 });
      expect((await send(b, 'GET', '/__admin/faults')).body).toMatchObject({ faults: [{ injected: 0 }] });
      expect((await api(b, 'POST', '/voiceCalls', inboundCall('f-last'))).status).toBe(500);
      expect((await api(a, 'POST', '/voiceCalls', inboundCall('f-after'))).status).toBe(201);
    } finally {
      await stopAll(a, b);
    }
  });

  it('--faults rules are stored for a tenant whose stored rules were all removed, and kept when it has some', async () => {
    const url = await freshDatabase();
    const file = join(mkdtempSync(join(tmpdir(), 'scv-replica-faults-')), 'faults.json');
    writeFileSync(
      file,
      JSON.stringify({ faults: [{ match: { operation: 'createVoiceCall' }, action: { status: 500 } }] }),
    );
    const start = () => startCli(['--store', url, '--faults', file, '--quiet']);
    let mock = await start();
    try {
      expect((await api(mock, 'POST', '/voiceCalls', inboundCall('faulted'))).status).toBe(500);
      expect((await send(mock, 'DELETE', '/__admin/faults')).body).toMatchObject({ removed: 1 });
      await mock.stop();
      mock = await start();
      const listed = (await send(mock, 'GET', '/__admin/faults')).body as { faults: Array<{ id: string }> };
      expect(listed.faults).toHaveLength(1);
      expect((await api(mock, 'POST', '/voiceCalls', inboundCall('faulted-again'))).status).toBe(500);
    } finally {
      await mock.stop();
    }
  });

  it('a replica that loses its database answers 503, health included, and comes back with it', async () => {
    const own = await startPostgresCluster();
    const url = await createDatabase(own, 'outage');
    const mock = await startCli(['--store', url, '--quiet']);
    try {
      expect((await api(mock, 'POST', '/voiceCalls', inboundCall('before'))).status).toBe(201);
      await own.stop();
      const health = await send(mock, 'GET', '/__admin/health');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ errorCode: 'STORE_UNAVAILABLE' });
      for (const answer of [
        await api(mock, 'POST', '/voiceCalls', inboundCall('during')),
        await send(mock, 'GET', '/__admin/calls'),
        await send(mock, 'GET', '/__admin/journal'),
      ]) {
        expect(answer.status).toBe(503);
        expect(answer.body).toMatchObject({ errorCode: 'STORE_UNAVAILABLE' });
      }
    } finally {
      await mock.stop();
      await own.stop().catch(() => undefined);
    }
  });

  it('both list a tenant that only made a request on one, without storing anything', async () => {
    const [a, b] = await twoReplicas();
    try {
      const unified = await signToken({ orgId: DEFAULT_ORG, callCenterApiName: 'UnifiedContactCenter' });
      // Refused by validation: the tenant is known, nothing is stored.
      expect((await send(a, 'POST', '/telephony/v1/voiceCalls', {}, unified)).status).toBe(400);
      for (const replica of [a, b]) {
        const list = (await send(replica, 'GET', '/__admin/tenants')).body as { tenants: Array<{ tenant: string }> };
        expect(list.tenants.map((t) => t.tenant)).toContain(`${DEFAULT_ORG}/UnifiedContactCenter`);
      }
    } finally {
      await stopAll(a, b);
    }
  });

  it('the same vendorCallKey created on both at once makes one call', async () => {
    const [a, b] = await twoReplicas();
    try {
      for (let round = 0; round < 10; round++) {
        const key = `race-${round}`;
        const answers = await Promise.all([
          api(a, 'POST', '/voiceCalls', inboundCall(key)),
          api(b, 'POST', '/voiceCalls', inboundCall(key)),
        ]);
        expect(answers.map((answer) => answer.status)).toContain(201);
        const list = await send(round % 2 === 0 ? a : b, 'GET', `/__admin/calls?vendorCallKey=${key}`);
        expect((list.body as { conversations: unknown[] }).conversations).toHaveLength(1);
      }
    } finally {
      await stopAll(a, b);
    }
  });

  it('the same messageId posted to both at once is stored once; the other is refused', async () => {
    const [a, b] = await twoReplicas();
    try {
      expect((await api(a, 'POST', '/voiceCalls', inboundCall('talk'))).status).toBe(201);
      expect((await api(b, 'PATCH', '/voiceCalls/talk', { isActiveCall: true })).status).toBe(200);
      for (let round = 0; round < 10; round++) {
        const body = message(`same-${round}`);
        const statuses = (
          await Promise.all([
            api(a, 'POST', '/voiceCalls/talk/messages', body),
            api(b, 'POST', '/voiceCalls/talk/messages', body),
          ])
        ).map((answer) => answer.status);
        expect(statuses.sort()).toEqual([202, 409]);
      }
      const call = (await send(b, 'GET', '/__admin/calls/talk')).body as { transcripts: unknown[] };
      expect(call.transcripts).toHaveLength(10);
    } finally {
      await stopAll(a, b);
    }
  });

  it('omniFlow on both at once makes one routing and one refusal (the rule at refuse); at its default, one warning', async () => {
    const [a, b] = await twoReplicas(['--rule', 'OMNIFLOW_WHILE_ROUTING_PENDING=refuse']);
    const [c, d] = await twoReplicas();
    const flow = { flowDevName: 'Support_Routing_Flow', fallbackQueue: 'Support_Queue' };
    try {
      for (let round = 0; round < 5; round++) {
        const key = `flow-${round}`;
        expect((await api(a, 'POST', '/voiceCalls', inboundCall(key))).status).toBe(201);
        const answers = await Promise.all([
          api(a, 'PATCH', `/voiceCalls/${key}/omniFlow`, flow),
          api(b, 'PATCH', `/voiceCalls/${key}/omniFlow`, flow),
        ]);
        expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
        expect(JSON.stringify(answers.find((answer) => answer.status === 409)!.body)).toContain(
          'OMNIFLOW_WHILE_ROUTING_PENDING',
        );
        const state = (await send(b, 'GET', `/__admin/calls/${key}`)).body as { pendingRoutings: unknown[] };
        expect(state.pendingRoutings).toHaveLength(1);
      }
      // At its default level (warn) the second replaces the first, as in one process: one routing, one warning.
      expect((await api(c, 'POST', '/voiceCalls', inboundCall('flow'))).status).toBe(201);
      const answers = await Promise.all([
        api(c, 'PATCH', '/voiceCalls/flow/omniFlow', flow),
        api(d, 'PATCH', '/voiceCalls/flow/omniFlow', flow),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      const state = (await send(d, 'GET', '/__admin/calls/flow')).body as { pendingRoutings: unknown[] };
      expect(state.pendingRoutings).toHaveLength(1);
      const journal = (await send(c, 'GET', '/__admin/journal?operation=executeOmniFlow&outcome=warning')).body as {
        entries: unknown[];
      };
      expect(journal.entries).toHaveLength(1);
    } finally {
      await stopAll(a, b, c, d);
    }
  });

  it("the tenant's call limit holds across replicas", async () => {
    const [a, b] = await twoReplicas(['--max-calls-per-tenant', '10']);
    try {
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => api(i % 2 === 0 ? a : b, 'POST', '/voiceCalls', inboundCall(`cap-${i}`))),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(10);
      expect(statuses.filter((status) => status === 429)).toHaveLength(20);
      const list = await send(a, 'GET', '/__admin/calls?limit=100');
      expect((list.body as { conversations: unknown[] }).conversations).toHaveLength(10);
    } finally {
      await stopAll(a, b);
    }
  });

  it('killing one replica mid-load loses no acknowledged write, and the other keeps serving', async () => {
    const [a, b] = await twoReplicas();
    try {
      const acknowledged: string[] = [];
      let sent = 0;
      let killed = false;
      // Creates alternate between the replicas, 8 at a time; A is killed (SIGKILL) once 150 are acknowledged.
      const worker = async () => {
        while (sent < 400) {
          const key = `load-${sent++}`;
          const target = sent % 2 === 0 && !killed ? a : b;
          const answer = await api(target, 'POST', '/voiceCalls', inboundCall(key)).catch(() => null);
          if (answer?.status === 201) acknowledged.push(key);
          if (!killed && acknowledged.length >= 150) {
            killed = true;
            await a.stop('SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      expect(killed).toBe(true);
      expect(acknowledged.length).toBeGreaterThan(300);
      const list = await send(b, 'GET', '/__admin/calls?limit=1000');
      const stored = new Set(
        (list.body as { conversations: Array<{ legs: Array<{ vendorCallKey: string }> }> }).conversations.flatMap((c) =>
          c.legs.map((leg) => leg.vendorCallKey),
        ),
      );
      expect(acknowledged.filter((key) => !stored.has(key))).toEqual([]);
      // And B still takes writes.
      expect((await api(b, 'POST', '/voiceCalls', inboundCall('after-kill'))).status).toBe(201);
    } finally {
      await stopAll(a, b);
    }
  });

  it("the README's compose example: each replica's command and environment start a replica; the balancer names both", async () => {
    const compose = parse(readFileSync(new URL('../docs/replicas/compose.yaml', import.meta.url), 'utf8')) as {
      services: Record<string, { command?: string[]; environment?: Record<string, string> }>;
    };
    const nginx = readFileSync(new URL('../docs/replicas/nginx.conf', import.meta.url), 'utf8');
    const replicas = Object.entries(compose.services).filter(([name]) => name.startsWith('replica-'));
    expect(replicas.map(([name]) => name)).toEqual(['replica-a', 'replica-b']);
    const url = await freshDatabase();
    const started: RunningMock[] = [];
    try {
      for (const [name, service] of replicas) {
        expect(nginx).toContain(`server ${name}:6324`);
        const [node, bin, command, ...args] = service.command!;
        expect([node, bin, command]).toEqual(['node', 'bin/scv-mock.mjs', 'start']);
        const env = { ...service.environment!, SCV_MOCK_STORE: url, SCV_MOCK_ADMIN_TOKEN: 'a'.repeat(24) };
        // Its own port here (the compose file's 6324 is inside each container).
        const port = args.indexOf('--port');
        started.push(await startCli([...args.slice(0, port), ...args.slice(port + 2), '--quiet'], undefined, { env }));
      }
      const [a, b] = started as [RunningMock, RunningMock];
      expect((await api(a, 'POST', '/voiceCalls', inboundCall('composed'))).status).toBe(201);
      expect((await api(b, 'PATCH', '/voiceCalls/composed', { isActiveCall: true })).status).toBe(200);
      const health = await fetch(`${b.baseUrl}/__admin/health`);
      expect(await health.json()).toMatchObject({ store: 'postgres' });
    } finally {
      await stopAll(...started);
    }
  });
});
