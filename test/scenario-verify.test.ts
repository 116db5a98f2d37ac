/**
 * Scenario verification: each documented scenario, run as its fixture does, verifies clean; each kind
 * of connector mistake (missing, out-of-order and extra steps, failed requests, rule violations, step
 * conditions) is reported with a message that says what to change. The admin API and the TypeScript
 * verifier give the same report.
 */
import { readdirSync } from 'node:fs';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import {
  verificationReportSchema,
  verificationSummarySchema,
  type VerificationReport,
} from '../contracts/admin-schemas.ts';
import { entriesOfCall, verifyScenario } from '../contracts/scenario-verifier.ts';
import { scenarioByName, SCENARIO_NAMES } from '../contracts/scenarios.ts';
import { errorResponseSchema } from '../contracts/wire-schemas.ts';
import { findCall } from '../mock-server/domain/call-resolution.ts';
import type { MockServerOptions } from '../mock-server/server.ts';
import {
  inboundCall,
  IN_CALL,
  loadScript,
  message,
  startMock,
  type Client,
  type Harness,
} from './support/mock-harness.ts';

const FIXTURES = readdirSync(new URL('../fixtures/scripts/', import.meta.url))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));
const VM = 'vm-0001';

let mock: Harness;
// The first test starts no mock; closing an already closed one is harmless.
afterEach(async () => mock?.server.close());

const verify = async (client: Client, body: Record<string, unknown>, status = 200) =>
  (
    await request(mock.server.app)
      .post('/__admin/verify')
      .set('Authorization', `Bearer ${client.token}`)
      .send(body)
      .expect(status)
  ).body as unknown;

async function verifyCall(client: Client, scenario: string, vendorCallKey: string): Promise<VerificationReport> {
  return verificationReportSchema.parse(await verify(client, { scenario, vendorCallKey }));
}

const kinds = (report: VerificationReport) => report.problems.map((p) => [p.kind, p.step ?? p.rule ?? null]);

describe('every request script verifies clean against its scenario', () => {
  it('there is a fixture for every scenario', () => {
    const covered = FIXTURES.map((name) => loadScript(name).scenario);
    expect([...new Set(covered)].sort()).toEqual([...SCENARIO_NAMES].sort());
  });

  it.each(FIXTURES)('%s', async (name) => {
    mock = await startMock();
    const fixture = loadScript(name);
    const client = fixture.contactCenter === undefined ? mock : await mock.as(fixture.contactCenter);
    for (const step of fixture.steps) {
      const res = await client.call(step.method, step.path, step.body);
      expect(res.status, `${step.title}: ${JSON.stringify(res.body)}`).toBe(step.expect.status);
    }
    const key = (fixture.steps[0]!.body as { vendorCallKey: string }).vendorCallKey;
    const report = await verifyCall(client, fixture.scenario, key);
    expect(report.problems, JSON.stringify(report.problems, null, 1)).toEqual([]);
    expect(report.ok).toBe(true);
    for (const step of report.steps) expect(step.status, step.id).toMatch(step.optional ? /passed|skipped/ : /passed/);
    // The TypeScript verifier, on the journal, says the same.
    const journal = mock.server.journal.list(
      client === mock
        ? mock.tenant.key
        : (await import('../mock-server/tenancy/tenant.ts')).tenantOf('00DSM0000000MCK2A2', fixture.contactCenter!).key,
    );
    const call = entriesOfCall(journal.entries, key);
    expect(
      verifyScenario(scenarioByName(fixture.scenario)!, call.entries, {
        vendorCallKey: key,
        conversationId: call.conversationId,
      }),
    ).toEqual(report);
  });
});

/** The seed's voicemail sequence, with changes. */
async function voicemail(
  client: Client,
  options: {
    tag?: 'create' | 'update' | 'late';
    transcript?: boolean;
    final?: Record<string, unknown>;
    extra?: () => Promise<unknown>;
  } = {},
) {
  const {
    tag = 'update',
    transcript = true,
    final = { recordingLocation: 'https://r.example/vm.wav', totalRecordingDuration: 20 },
  } = options;
  await client.post('/voiceCalls', inboundCall(VM, tag === 'create' ? { callOrigin: 'Voicemail' } : {}));
  if (tag === 'update') await client.patch(`/voiceCalls/${VM}`, { isActiveCall: true, callOrigin: 'Voicemail' });
  if (transcript) await client.post(`/voiceCalls/${VM}/messages`, message('m1'));
  await client.patch(`/voiceCalls/${VM}/omniFlow`, { dialedNumber: '999999999' });
  if (tag === 'late') await client.patch(`/voiceCalls/${VM}`, { isActiveCall: true, callOrigin: 'Voicemail' });
  await options.extra?.();
  await client.patch(`/voiceCalls/${VM}`, final);
}

async function start(options: MockServerOptions = {}) {
  mock = await startMock(options);
  return mock;
}

describe('each kind of mistake is reported with what to change', () => {
  it('the seed sequence passes, with callOrigin set on create or in an update', async () => {
    await start();
    await voicemail(mock, { tag: 'create' });
    expect((await verifyCall(mock, 'voicemail', VM)).ok).toBe(true);
  });

  it('a missing step', async () => {
    await start();
    await voicemail(mock, { transcript: false });
    const report = await verifyCall(mock, 'voicemail', VM);
    expect(report.ok).toBe(false);
    expect(kinds(report)).toEqual([['missing-step', 'transcripts']]);
    expect(report.problems[0]!.message).toContain('POST /voiceCalls/{vendorCallKey}/messages');
    expect(report.steps.find((s) => s.id === 'transcripts')?.status).toBe('missing');
  });

  it('the voicemail tagged after the flow ran: refused in strict mode', async () => {
    await start();
    await voicemail(mock, { tag: 'late' });
    const report = await verifyCall(mock, 'voicemail', VM);
    expect(kinds(report)).toEqual([
      ['condition', 'omniflow'],
      ['rule-violation', 'VOICEMAIL_ORIGIN_AFTER_FLOW'],
      ['failed-request', null],
    ]);
    expect(report.problems[0]!.message).toContain(
      'expected the call\'s callOrigin is "Voicemail": callOrigin must be Voicemail before omniFlow',
    );
  });

  it('the same mistake in lenient mode: accepted, but still a violation, and out of order', async () => {
    await start({ mode: 'lenient' });
    await voicemail(mock, { tag: 'late' });
    const report = await verifyCall(mock, 'voicemail', VM);
    expect(kinds(report)).toEqual([
      ['condition', 'omniflow'],
      ['rule-violation', 'VOICEMAIL_ORIGIN_AFTER_FLOW'],
      ['out-of-order', 'update-active'],
    ]);
    expect(report.ok).toBe(false);
  });

  it('an extra request', async () => {
    await start();
    const signal = {
      service: 'AmazonConnectContactLens',
      events: [{ type: 'IntelligenceSignal__Category', value: 'CustomerAngry', startTime: IN_CALL }],
    };
    await voicemail(mock, {
      extra: () => mock.post(`/voiceCalls/${VM}/realtimeConversationEvents`, signal).expect(202),
    });
    const report = await verifyCall(mock, 'voicemail', VM);
    expect(kinds(report)).toEqual([['extra-request', null]]);
    expect(report.problems[0]!.message).toContain('sendRealtimeConversationEvents');
  });

  it('a failed request (a transcript sent to the Salesforce id)', async () => {
    await start();
    await voicemail(mock, {
      extra: async () => {
        const id = findCall(mock.server.store, mock.tenant.key, VM)!.id;
        await mock.post(`/voiceCalls/${id}/messages`, message('by-id')).expect(400);
      },
    });
    const report = await verifyCall(mock, 'voicemail', VM);
    expect(kinds(report)).toEqual([
      ['rule-violation', 'TRANSCRIPT_KEY_IS_SALESFORCE_ID'],
      ['failed-request', null],
    ]);
    expect(report.problems[1]!.message).toMatch(/was answered 400: 0LQ\w+ is a Salesforce VoiceCall id/);
  });

  it('a transcript after the end: taken but not stored, a warning, and out of order', async () => {
    await start();
    await voicemail(mock);
    const late = await mock.post(`/voiceCalls/${VM}/messages`, message('late')).expect(202);
    expect(late.headers['scv-mock-warnings']).toBe('TRANSCRIPT_CONVERSATION_CLOSED');
    const report = await verifyCall(mock, 'voicemail', VM);
    expect(report.warnings.map((w) => w.rule)).toEqual(['TRANSCRIPT_CONVERSATION_CLOSED']);
    expect(kinds(report)).toEqual([['out-of-order', 'transcripts']]);
  });

  it('a step condition: the final update without the recording', async () => {
    await start();
    await voicemail(mock, { final: { endTime: '2022-08-02T17:33:00Z' } });
    const report = await verifyCall(mock, 'voicemail', VM);
    expect(kinds(report)).toEqual([['condition', 'final-update']]);
    expect(report.problems[0]!.message).toContain(
      "the call's recordingLocation is set: the voicemail call carries its recording by the final update",
    );
  });

  it('warnings (a transcript dropped outside the window) are reported without failing', async () => {
    await start();
    await voicemail(mock, {
      extra: () =>
        mock
          .post(`/voiceCalls/${VM}/messages`, message('seconds', { startTime: Math.floor(IN_CALL / 1000) }))
          .expect(202),
    });
    const report = await verifyCall(mock, 'voicemail', VM);
    // A transcript after omniFlow is out of order for the voicemail scenario; the drop is a warning.
    expect(report.warnings.map((w) => w.rule)).toEqual(['TRANSCRIPT_OUTSIDE_WINDOW']);
    expect(kinds(report)).toEqual([['out-of-order', 'transcripts']]);
  });

  it("transfer-to-flow: running the flow before the transfer leg exists is not the docs' order", async () => {
    await start();
    await mock.post('/voiceCalls', inboundCall('ttf')).expect(201);
    await mock.patch('/voiceCalls/ttf/omniFlow', { flowDevName: 'Support_Routing_Flow' }).expect(200);
    await mock
      .post('/voiceCalls', inboundCall('ttf-leg', { initiationMethod: 'Transfer', parentVoiceCallId: 'ttf' }))
      .expect(201);
    await mock.patch('/voiceCalls/ttf-leg', {}).expect(200);
    const report = await verifyCall(mock, 'transfer-to-flow', 'ttf');
    expect(kinds(report)).toEqual([
      ['condition', 'route'],
      ['missing-step', 'flow-on-transfer-leg'],
    ]);
    expect(report.problems[1]!.message).toContain(
      'After creating the transfer leg, PATCH /voiceCalls/{transfer leg}/omniFlow with flowDevName and no dialedNumber',
    );
  });

  it('steps of one phase may interleave: transcripts and realtime events during the call', async () => {
    await start();
    const signal = (at: number) => ({
      service: 'AmazonConnectContactLens',
      events: [{ type: 'IntelligenceSignal__Category', value: 'CustomerAngry', startTime: at }],
    });
    await mock.post('/voiceCalls', inboundCall('mix')).expect(201);
    await mock.post('/voiceCalls/mix/realtimeConversationEvents', signal(IN_CALL)).expect(202);
    await mock.post('/voiceCalls/mix/messages', message('m1')).expect(202);
    await mock.post('/voiceCalls/mix/realtimeConversationEvents', signal(IN_CALL + 1)).expect(202);
    await mock.post('/voiceCalls/mix/messages', message('m2')).expect(202);
    await mock.patch('/voiceCalls/mix', { acceptTime: '2022-08-02T17:32:35Z' }).expect(200);
    const report = await verifyCall(mock, 'inbound-answered', 'mix');
    expect(report.problems).toEqual([]);
    // A step of another phase still has its place: a transcript after the final update is out of order.
    await mock.post('/voiceCalls/mix/messages', message('m3')).expect(202);
    expect(kinds(await verifyCall(mock, 'inbound-answered', 'mix'))).toEqual([['out-of-order', 'transcripts']]);
  });

  it('reports coverage: operations, rules with their outcomes, statuses', async () => {
    await start();
    await voicemail(mock);
    const report = await verifyCall(mock, 'voicemail', VM);
    expect(report.coverage.operations).toEqual({
      createVoiceCall: 1,
      updateVoiceCall: 2,
      createTranscript: 1,
      executeOmniFlow: 1,
    });
    expect(report.coverage.statuses).toEqual({ '200': 3, '201': 1, '202': 1 });
    expect(report.coverage.rules.VOICEMAIL_ORIGIN_AFTER_FLOW).toEqual({ ok: 2, warning: 0, violation: 0 });
  });
});

describe('POST /__admin/verify', () => {
  it('verifies every call of the tenant when no vendorCallKey is given', async () => {
    await start();
    await voicemail(mock);
    await mock.post('/voiceCalls', inboundCall('other')).expect(201);
    const summary = verificationSummarySchema.parse(await verify(mock, { scenario: 'voicemail' }));
    expect(summary.ok).toBe(false);
    expect(summary.reports.map((r) => [r.vendorCallKey, r.ok])).toEqual([
      [VM, true],
      ['other', false],
    ]);
  });

  it('refuses an unknown scenario, an unknown call, and works only with the journal on', async () => {
    await start();
    const unknown = errorResponseSchema.parse(await verify(mock, { scenario: 'nope', vendorCallKey: VM }, 400));
    expect(unknown.errors[0]).toContain('voicemail, inbound-answered');
    expect(
      errorResponseSchema.parse(await verify(mock, { scenario: 'voicemail', vendorCallKey: 'ghost' }, 404)).errorCode,
    ).toBe('CALL_NOT_FOUND');
    await mock.server.close();
    await start({ journalSize: 0 });
    expect(errorResponseSchema.parse(await verify(mock, { scenario: 'voicemail' }, 409)).errorCode).toBe('JOURNAL_OFF');
  });

  it("sees only the tenant's own calls", async () => {
    await start();
    await voicemail(mock);
    const other = await mock.as('MyContactCenter', '00D000000000008');
    expect(
      errorResponseSchema.parse(await verify(other, { scenario: 'voicemail', vendorCallKey: VM }, 404)).errorCode,
    ).toBe('CALL_NOT_FOUND');
  });
});
