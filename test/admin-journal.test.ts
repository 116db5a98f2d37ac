/**
 * The per-tenant admin API: the journal records every request with its rule checks (token redacted),
 * can be filtered, bounded, switched off and cleared without touching calls; reset clears calls, the
 * journal or both; state inspection shows a conversation with everything attached.
 */
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import {
  callListSchema,
  conversationStateSchema,
  journalPageSchema,
  resetResponseSchema,
} from '../contracts/admin-schemas.ts';
import { errorResponseSchema } from '../contracts/wire-schemas.ts';
import type { MockServerOptions } from '../mock-server/server.ts';
import { CALLS_PAGE, JOURNAL_PAGE } from '../mock-server/admin/tenant-admin.ts';
import {
  inboundCall,
  IN_CALL,
  loadScript,
  message,
  startMock,
  type Client,
  type Harness,
} from './support/mock-harness.ts';

const seed = loadScript('voicemail-seed');
const KEY = '5324881f-1e84-4367-8930-f69a74b30fff';

let mock: Harness;
afterEach(async () => mock.server.close());

const admin = (client: Client, method: 'get' | 'post' | 'delete', path: string) =>
  request(mock.server.app)[method](`/__admin${path}`).set('Authorization', `Bearer ${client.token}`);
const journalOf = async (client: Client, query = '') =>
  journalPageSchema.parse((await admin(client, 'get', `/journal${query}`).expect(200)).body);

async function runSeed(client: Client) {
  for (const step of seed.steps) await client.call(step.method, step.path, step.body).expect(step.expect.status);
}

async function start(options: MockServerOptions = {}) {
  mock = await startMock(options);
  return mock;
}

describe('journal', () => {
  it('records each request: operation, call, bodies, status and every rule check, with the token redacted', async () => {
    await start();
    await runSeed(mock);
    const page = await journalOf(mock);
    expect(page).toMatchObject({ tenant: mock.tenant.key, enabled: true, capacity: 10_000, total: 5, dropped: 0 });
    expect(page.entries.map((e) => [e.operation, e.response.status])).toEqual([
      ['createVoiceCall', 201],
      ['updateVoiceCall', 200],
      ['createTranscript', 202],
      ['executeOmniFlow', 200],
      ['updateVoiceCall', 200],
    ]);
    const [create, , transcript, omniFlow] = page.entries;
    expect(create).toMatchObject({
      method: 'POST',
      path: '/telephony/v1/voiceCalls',
      vendorCallKey: KEY,
      request: { body: seed.steps[0]!.body },
    });
    expect(create!.voiceCallId).toBe((create!.response.body as { voiceCallId: string }).voiceCallId);
    expect(page.entries.every((e) => e.voiceCallId === create!.voiceCallId && e.conversationId !== null)).toBe(true);
    expect(omniFlow!.response.body).toEqual({
      agent: null,
      queue: 'arn:aws:connect:us-east-1:000000000000:instance/scv-mock/queue/voicemail',
    });
    // Every rule of the operation ran; message rules once per message.
    expect(transcript!.checks).toEqual(
      expect.arrayContaining([
        { rule: 'TRANSCRIPT_CONVERSATION_CLOSED', scope: 'request', outcome: 'ok' },
        {
          rule: 'DUPLICATE_MESSAGE_ID',
          scope: 'message',
          outcome: 'ok',
          subject: 'b6f1c7d2-7d7e-4a0e-9d55-3f3e2f8c1a01',
        },
      ]),
    );
    expect(omniFlow!.checks.map((c) => c.rule).sort()).toEqual([
      'OMNIFLOW_ON_CLOSED_CALL',
      'OMNIFLOW_WHILE_ROUTING_PENDING',
      'UNDOCUMENTED_FIELD',
      'VOICEMAIL_WITHOUT_VOICEMAIL_ROUTING',
    ]);
    expect(create!.request.headers.authorization).toBe('Bearer [redacted]');
    expect(JSON.stringify(page)).not.toContain(mock.token);
  });

  it('records refused requests with the violation, and warnings, so they can be filtered by outcome', async () => {
    await start();
    const created = await mock.post('/voiceCalls', inboundCall('k')).expect(201);
    // A transcript sent to the Salesforce id: the docs say the key "can't be a Salesforce voiceCallId".
    await mock.post(`/voiceCalls/${created.body.voiceCallId as string}/messages`, message('m1')).expect(400);
    await mock.patch('/voiceCalls/k/omniFlow', { flowName: 'Support_Routing_Flow' }).expect(200);
    await mock.post('/voiceCalls', { ...inboundCall('bad'), startTime: 'soon' }).expect(400);

    const violations = await journalOf(mock, '?outcome=violation');
    expect(violations.entries).toHaveLength(1);
    expect(violations.entries[0]).toMatchObject({
      operation: 'createTranscript',
      vendorCallKey: 'k',
      response: { status: 400 },
    });
    expect(violations.entries[0]!.checks).toContainEqual(
      expect.objectContaining({
        rule: 'TRANSCRIPT_KEY_IS_SALESFORCE_ID',
        outcome: 'violation',
        message: expect.stringContaining('is a Salesforce VoiceCall id'),
      }),
    );
    const warnings = await journalOf(mock, '?outcome=warning');
    expect(warnings.entries.map((e) => e.operation)).toEqual(['executeOmniFlow']);
    const ok = await journalOf(mock, '?outcome=ok');
    expect(ok.entries.map((e) => e.response.status)).toEqual([201, 400]);
    // A request that failed validation names its key from the body, and ran no rule.
    expect(ok.entries[1]).toMatchObject({ operation: 'createVoiceCall', vendorCallKey: 'bad', checks: [] });
  });

  it('filters by call, vendorCallKey, operation, after and limit', async () => {
    await start();
    const a = await mock.post('/voiceCalls', inboundCall('a')).expect(201);
    await mock.post('/voiceCalls', inboundCall('b')).expect(201);
    await mock.post('/voiceCalls/a/messages', message('m1')).expect(202);
    await mock.post('/voiceCalls/b/messages', message('m1')).expect(202);
    expect((await journalOf(mock, '?vendorCallKey=a')).entries.map((e) => e.operation)).toEqual([
      'createVoiceCall',
      'createTranscript',
    ]);
    const byId = await journalOf(mock, `?voiceCallId=${(a.body.voiceCallId as string).slice(0, 15)}`);
    expect(byId.entries).toHaveLength(2);
    expect((await journalOf(mock, '?operation=createTranscript')).entries.map((e) => e.vendorCallKey)).toEqual([
      'a',
      'b',
    ]);
    const all = await journalOf(mock);
    expect((await journalOf(mock, `?after=${all.entries[1]!.seq}`)).entries).toHaveLength(2);
    expect((await journalOf(mock, '?limit=1')).entries.map((e) => e.vendorCallKey)).toEqual(['b']);
    const bad = await admin(mock, 'get', '/journal?outcome=maybe').expect(400);
    expect(errorResponseSchema.parse(bad.body).errors[0]).toContain('outcome must be one of ok, warning, violation');
  });

  it('is per tenant', async () => {
    await start();
    const other = await mock.as('MyContactCenter', '00D000000000007');
    await mock.post('/voiceCalls', inboundCall('mine')).expect(201);
    await other.post('/voiceCalls', inboundCall('theirs')).expect(201);
    expect((await journalOf(mock)).entries.map((e) => e.vendorCallKey)).toEqual(['mine']);
    expect((await journalOf(other)).entries.map((e) => e.vendorCallKey)).toEqual(['theirs']);
  });

  it('is bounded: the oldest entries are dropped and counted', async () => {
    await start({ journalSize: 3 });
    for (let i = 0; i < 5; i++) await mock.post('/voiceCalls', inboundCall(`k${i}`)).expect(201);
    const page = await journalOf(mock);
    expect(page).toMatchObject({ capacity: 3, total: 3, dropped: 2 });
    expect(page.entries.map((e) => e.vendorCallKey)).toEqual(['k2', 'k3', 'k4']);
  });

  it('can be switched off', async () => {
    await start({ journalSize: 0 });
    await mock.post('/voiceCalls', inboundCall('k')).expect(201);
    expect(await journalOf(mock)).toMatchObject({ enabled: false, total: 0, entries: [] });
  });

  it("needs the tenant's token like the API", async () => {
    await start();
    const res = await request(mock.server.app).get('/__admin/journal').expect(401);
    expect(errorResponseSchema.parse(res.body).errorCode).toBe('AUTH_MISSING');
  });
});

describe('clear and reset', () => {
  it('clearing the journal leaves the calls; resetting calls leaves the journal; both by default', async () => {
    await start();
    await runSeed(mock);
    const cleared = await admin(mock, 'delete', '/journal').expect(200);
    expect(cleared.body).toEqual({ tenant: mock.tenant.key, cleared: 5 });
    expect(mock.server.store.counts().calls).toBe(1);

    await mock.post('/voiceCalls', inboundCall('second')).expect(201);
    const callsOnly = resetResponseSchema.parse(
      (await admin(mock, 'post', '/reset').send({ journal: false }).expect(200)).body,
    );
    expect(callsOnly).toEqual({
      tenant: mock.tenant.key,
      removed: {
        calls: 2,
        conversations: 2,
        transcripts: 1,
        recordings: 1,
        routings: 0,
        contactRequests: 0,
        events: 0,
        numberReservations: 0,
      },
      journalCleared: 0,
    });
    expect(mock.server.store.counts().calls).toBe(0);
    expect((await journalOf(mock)).total).toBe(1); // the create; admin requests are not journaled

    // The seed runs again from scratch on the same vendorCallKey.
    await runSeed(mock);
    const both = resetResponseSchema.parse((await admin(mock, 'post', '/reset').expect(200)).body);
    expect(both.removed.calls).toBe(1);
    expect(both.journalCleared).toBe(6);
  });

  it('resets one tenant only', async () => {
    await start();
    const other = await mock.as('UnifiedContactCenter');
    await mock.post('/voiceCalls', inboundCall('mine')).expect(201);
    await other.post('/voiceCalls', inboundCall('theirs', { callCenterApiName: 'UnifiedContactCenter' })).expect(201);
    await admin(mock, 'post', '/reset').expect(200);
    expect(mock.server.store.counts().calls).toBe(1);
    expect((await journalOf(other)).total).toBe(1);
  });

  it('refuses a reset body of the wrong shape', async () => {
    await start();
    const res = await admin(mock, 'post', '/reset').send({ calls: 'yes' }).expect(400);
    expect(errorResponseSchema.parse(res.body).errors[0]).toContain('calls');
  });
});

describe('state inspection', () => {
  it('shows a conversation with its legs, transcripts, recording, routing and events', async () => {
    await start();
    await runSeed(mock);
    const state = conversationStateSchema.parse((await admin(mock, 'get', `/calls/${KEY}`).expect(200)).body);
    expect(state).toMatchObject({ status: 'closed', firstVendorCallKey: KEY });
    expect(state.legs).toHaveLength(1);
    expect(state.legs[0]).toMatchObject({ vendorCallKey: KEY, disposition: 'completed', callOrigin: 'Voicemail' });
    expect(state.legs[0]).not.toHaveProperty('tenant');
    expect(state.transcripts.map((t) => t.messageId)).toEqual(['b6f1c7d2-7d7e-4a0e-9d55-3f3e2f8c1a01']);
    expect(state.recordings[0]).toMatchObject({ durationInSeconds: 61 });
    expect(state.pendingRoutings).toEqual([]);
  });

  it("lists the tenant's conversations, with transfer legs together, filtered by vendorCallKey", async () => {
    await start();
    await mock.post('/voiceCalls', inboundCall('root')).expect(201);
    await mock
      .post('/voiceCalls', inboundCall('leg', { initiationMethod: 'Transfer', parentVoiceCallId: 'root' }))
      .expect(201);
    await mock.patch('/voiceCalls/leg/omniFlow', { dialedNumber: '999999999' }).expect(200);
    await mock.post('/voiceCalls', inboundCall('alone')).expect(201);
    const list = callListSchema.parse((await admin(mock, 'get', '/calls').expect(200)).body);
    expect(list.conversations.map((c) => c.legs.map((l) => l.vendorCallKey))).toEqual([['root', 'leg'], ['alone']]);
    expect(list.conversations[0]!.pendingRoutings).toHaveLength(1);
    const filtered = callListSchema.parse((await admin(mock, 'get', '/calls?vendorCallKey=leg').expect(200)).body);
    expect(filtered.conversations).toHaveLength(1);
    // The transfer wrote both legs; its journal entry names the leg it created.
    const creates = (await journalOf(mock, '?operation=createVoiceCall')).entries;
    expect(creates.map((e) => [e.vendorCallKey, e.voiceCallId])).toEqual(
      list.conversations.flatMap((c) => c.legs.map((l) => [l.vendorCallKey, l.id])),
    );
    await admin(mock, 'get', '/calls/nobody').expect(404);
  });
});

describe('POST /__admin/calls: calls Salesforce creates itself', () => {
  it.each(['Outbound', 'Callback', 'Consult'] as const)(
    'makes a live %s call that takes transcripts and events by its own key',
    async (callType) => {
      await start();
      const key = `${callType.toLowerCase()}-1`;
      const made = await admin(mock, 'post', '/calls')
        .send({
          callType,
          vendorCallKey: key,
          from: '+18005550100',
          to: '+15551234567',
          startTime: '2022-08-02T17:32:28Z',
        })
        .expect(201);
      expect(made.body).toMatchObject({
        vendorCallKey: key,
        callType,
        voiceCallId: expect.stringMatching(/^0LQ/),
        conversationId: expect.any(String),
      });
      await mock.post(`/voiceCalls/${key}/messages`, message('m1')).expect(202);
      await mock
        .post(`/voiceCalls/${key}/realtimeConversationEvents`, {
          service: 'AmazonConnectContactLens',
          events: [{ type: 'IntelligenceSignal__Category', value: 'Greeting', startTime: IN_CALL }],
        })
        .expect(202);
      const state = (await admin(mock, 'get', `/calls/${key}`).expect(200)).body as {
        status: string;
        legs: Array<{ callType: string }>;
        transcripts: unknown[];
      };
      expect(state).toMatchObject({ status: 'open', legs: [{ callType }] });
      expect(state.transcripts).toHaveLength(1);
      // The connector then ends it like any call.
      await mock.patch(`/voiceCalls/${key}`, { endTime: '2022-08-02T17:35:00Z' }).expect(200);
    },
  );

  it("refuses a call type the API creates itself, a taken or reserved key, and needs the tenant's token", async () => {
    await start();
    await admin(mock, 'post', '/calls').send({ callType: 'Inbound', vendorCallKey: 'x' }).expect(400);
    await admin(mock, 'post', '/calls').send({ callType: 'Outbound', vendorCallKey: 'messages' }).expect(400);
    await admin(mock, 'post', '/calls').send({ callType: 'Outbound', vendorCallKey: 'taken' }).expect(201);
    const taken = errorResponseSchema.parse(
      (await admin(mock, 'post', '/calls').send({ callType: 'Callback', vendorCallKey: 'taken' }).expect(400)).body,
    );
    expect(taken.errors[0]).toContain('vendorCallKey is already the key of call 0LQ');
    await request(mock.server.app)
      .post('/__admin/calls')
      .send({ callType: 'Outbound', vendorCallKey: 'y' })
      .expect(401);
  });
});

describe('admin reads are pages', () => {
  it(`answer the latest ${JOURNAL_PAGE} journal entries and ${CALLS_PAGE} conversations unless a limit says otherwise`, async () => {
    mock = await startMock();
    // More requests than a page: quickly, in process (the answers do not matter here).
    const calls = CALLS_PAGE + 5;
    for (let i = 0; i < calls; i++) await mock.post('/voiceCalls', inboundCall(`page-${i}`)).expect(201);
    for (let i = calls; i <= JOURNAL_PAGE; i++)
      await mock.patch(`/voiceCalls/page-0`, { isActiveCall: true }).expect(200);
    const page = await journalOf(mock);
    expect(page.total).toBe(JOURNAL_PAGE + 1);
    expect(page.entries).toHaveLength(JOURNAL_PAGE);
    expect(page.entries.at(-1)!.seq).toBe(JOURNAL_PAGE + 1);
    expect((await journalOf(mock, `?limit=${JOURNAL_PAGE + 1}`)).entries).toHaveLength(JOURNAL_PAGE + 1);
    const list = async (query = '') =>
      callListSchema.parse((await admin(mock, 'get', `/calls${query}`).expect(200)).body).conversations;
    expect(await list()).toHaveLength(CALLS_PAGE);
    expect((await list())[0]!.firstVendorCallKey).toBe('page-5');
    expect(await list(`?limit=${calls}`)).toHaveLength(calls);
  }, 60_000);
});

describe('the journal and large rejected bodies', () => {
  it("keeps a rejected request's body only up to 8 KB, saying how large it was; accepted bodies whole", async () => {
    mock = await startMock();
    const big = 'x'.repeat(200_000);
    // Refused (outbound calls are not created through the API), with a large field along.
    await mock
      .post('/voiceCalls', inboundCall('big-refused', { initiationMethod: 'Outbound', callAttributes: big }))
      .expect(400);
    await mock
      .post('/voiceCalls', inboundCall('big-kept', { callAttributes: JSON.stringify({ note: big }) }))
      .expect(201);
    const [refused, kept] = (await journalOf(mock)).entries;
    expect(refused!.response.status).toBe(400);
    expect(refused!.request.body).toEqual({
      scvMockNotKept: expect.stringMatching(
        /^a rejected body of 2\d\d,\d{3} bytes; the journal keeps rejected bodies up to 8 KB$/,
      ),
    });
    expect(JSON.stringify(kept!.request.body).length).toBeGreaterThan(200_000);
  });
});
