/**
 * Every rule of the table, over HTTP: one sequence that obeys it and one that breaks it, at the rule's
 * default level (refused with its status, or accepted with a warning), in lenient mode, and at every
 * level a run can set (refuse, warn, off). The cases are keyed by RuleId, so a rule added to the table
 * without a case here does not compile.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Response } from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultLevel, ruleById, SEQUENCE_RULES, type RuleId } from '../contracts/sequence-rules.ts';
import { errorResponseSchema } from '../contracts/wire-schemas.ts';
import { findCall } from '../mock-server/domain/call-resolution.ts';
import { DEFAULT_ORG_FILE } from '../mock-server/org/simulated-org.ts';
import type { MockServerOptions } from '../mock-server/server.ts';
import { inboundCall, IN_CALL, message, startMock, type Harness } from './support/mock-harness.ts';

const VOICEMAIL_QUEUE = 'arn:aws:connect:us-east-1:000000000000:instance/scv-mock/queue/voicemail';

const open = (mock: Harness, key: string, extra: Record<string, unknown> = {}) =>
  mock.post('/voiceCalls', inboundCall(key, extra)).expect(201);
/** Opens a call on the Unified Routing contact center; its requests need that contact center's token. */
const openUnified = async (mock: Harness, key: string) => {
  const unified = await mock.as('UnifiedContactCenter');
  await unified
    .post('/voiceCalls', inboundCall(key, { callCenterApiName: 'UnifiedContactCenter', to: '+14155550100' }))
    .expect(201);
  return unified;
};
const close = (mock: Harness, key: string) => mock.patch(`/voiceCalls/${key}`, {}).expect(200);
const omniFlow = (mock: Harness, key: string) =>
  mock.patch(`/voiceCalls/${key}/omniFlow`, { dialedNumber: '999999999' });
const sentiment = (startTime: number, participant?: string) => ({
  type: 'IntelligenceSignal__Sentiment',
  value: '120.5',
  startTime,
  ...(participant === undefined ? {} : { participant }),
});
const postCallEvent = (startTime: number) => ({ ...sentiment(startTime, 'CUSTOMER'), endTime: startTime + 1000 });

/** A fixture where the seed's number has no voicemail routing. */
function orgWithoutVoicemailRouting(): string {
  const org = JSON.parse(readFileSync(DEFAULT_ORG_FILE, 'utf8')) as {
    contactCenters: Array<{ phoneChannels: Array<{ voicemail?: unknown }>; keys: Array<Record<string, string>> }>;
  };
  delete org.contactCenters[0]!.phoneChannels[0]!.voicemail;
  // Key files are relative to the fixture; this copy lives elsewhere.
  for (const center of org.contactCenters) {
    for (const key of center.keys) {
      for (const field of ['certificateFile', 'publicKeyFile'])
        if (key[field] !== undefined) key[field] = resolve(dirname(DEFAULT_ORG_FILE), key[field]);
    }
  }
  const file = join(mkdtempSync(join(tmpdir(), 'scv-org-')), 'org.json');
  writeFileSync(file, JSON.stringify(org));
  return file;
}

interface RuleCase {
  options?: () => MockServerOptions;
  /** A sequence that keeps the rule: its last response must pass without hitting the rule. */
  obey: (mock: Harness) => Promise<Response>;
  /** A sequence whose last request hits the rule. */
  breaks: (mock: Harness) => Promise<Response>;
  /** What the last request of `breaks` left behind when it went through (lenient mode, or a warning). */
  afterAccepted?: (mock: Harness) => void;
}

const tenant = (mock: Harness) => mock.tenant.key;

const CASES: Record<RuleId, RuleCase> = {
  VOICEMAIL_ORIGIN_AFTER_FLOW: {
    obey: async (mock) => {
      await open(mock, 'vm');
      await mock.patch('/voiceCalls/vm', { isActiveCall: true, callOrigin: 'Voicemail' }).expect(200);
      const routed = await omniFlow(mock, 'vm').expect(200);
      expect(routed.body.queue).toBe(VOICEMAIL_QUEUE);
      return routed;
    },
    breaks: async (mock) => {
      await open(mock, 'vm');
      await omniFlow(mock, 'vm').expect(200);
      return mock.patch('/voiceCalls/vm', { isActiveCall: true, callOrigin: 'Voicemail' });
    },
  },
  HOLD_FIELDS_NEED_RECORDING: {
    obey: async (mock) => {
      await open(mock, 'h');
      return mock.patch('/voiceCalls/h', {
        totalHoldDuration: 12,
        agentInteractionDuration: 30,
        recordingLocation: 'https://r.example/h.wav',
      });
    },
    breaks: async (mock) => {
      await open(mock, 'h');
      // Kept open, so the stored value shows (ending the call resets the hold counters).
      return mock.patch('/voiceCalls/h', { isActiveCall: true, totalHoldDuration: 12 });
    },
    afterAccepted: (mock) => {
      const call = findCall(mock.server.store, tenant(mock), 'h')!;
      expect(call.totalHoldDuration).toBe(12);
      expect(mock.server.store.recordingOf(tenant(mock), call.id)).toBeUndefined();
    },
  },
  UPDATE_CREATES_CALL: {
    obey: async (mock) => {
      await open(mock, 'known');
      return mock.patch('/voiceCalls/known', { isActiveCall: true });
    },
    breaks: (mock) =>
      mock.patch('/voiceCalls/missed-call-1', { startTime: '2022-08-02T17:00:00Z', endTime: '2022-08-02T17:00:40Z' }),
    afterAccepted: (mock) => {
      const call = findCall(mock.server.store, tenant(mock), 'missed-call-1');
      expect(call).toMatchObject({
        vendorCallKey: 'missed-call-1',
        createdVia: 'update',
        disposition: 'completed',
        callDurationInSeconds: 40,
      });
    },
  },
  UPDATE_AFTER_CLOSE: {
    obey: async (mock) => {
      await open(mock, 'once');
      await mock.patch('/voiceCalls/once', { isActiveCall: true }).expect(200);
      return mock.patch('/voiceCalls/once', { numberOfHolds: 1 });
    },
    breaks: async (mock) => {
      await open(mock, 'twice');
      await close(mock, 'twice');
      return mock.patch('/voiceCalls/twice', { numberOfHolds: 3 });
    },
  },
  TRANSFER_PARENT_NOT_FOUND: {
    obey: async (mock) => {
      await open(mock, 'parent');
      const res = await mock.post(
        '/voiceCalls',
        inboundCall('leg-2', { initiationMethod: 'Transfer', parentVoiceCallId: 'parent' }),
      );
      const parent = findCall(mock.server.store, tenant(mock), 'parent')!;
      const leg = findCall(mock.server.store, tenant(mock), 'leg-2')!;
      expect(leg).toMatchObject({
        parentVoiceCallId: parent.id,
        previousCallId: parent.id,
        conversationId: parent.conversationId,
        callType: 'Transfer',
      });
      expect(parent).toMatchObject({ nextCallId: leg.id, disposition: 'transferred' });
      return res;
    },
    breaks: (mock) =>
      mock.post(
        '/voiceCalls',
        inboundCall('orphan', { initiationMethod: 'Transfer', parentVoiceCallId: 'no-such-call' }),
      ),
  },
  TRANSFER_FROM_CLOSED_CONVERSATION: {
    obey: async (mock) => {
      await open(mock, 'p');
      return mock.post('/voiceCalls', inboundCall('p-leg', { initiationMethod: 'Transfer', parentVoiceCallId: 'p' }));
    },
    breaks: async (mock) => {
      await open(mock, 'p');
      await close(mock, 'p');
      return mock.post('/voiceCalls', inboundCall('p-leg', { initiationMethod: 'Transfer', parentVoiceCallId: 'p' }));
    },
  },
  DUPLICATE_VENDOR_CALL_KEY: {
    obey: (mock) => mock.post('/voiceCalls', inboundCall('fresh')),
    breaks: async (mock) => {
      await open(mock, 'dup');
      const again = await mock.post('/voiceCalls', inboundCall('dup'));
      if (again.status < 300) {
        expect(again.status).toBe(200);
        expect(again.body.voiceCallId).toBe(findCall(mock.server.store, tenant(mock), 'dup')!.id);
      }
      return again;
    },
    afterAccepted: (mock) => expect(mock.server.store.counts().calls).toBe(1),
  },
  TRANSCRIPT_KEY_IS_SALESFORCE_ID: {
    obey: async (mock) => {
      await open(mock, 't');
      return mock.post('/voiceCalls/t/messages', message('m1'));
    },
    breaks: async (mock) => {
      const created = await open(mock, 't');
      const res = await mock.post(`/voiceCalls/${created.body.voiceCallId as string}/messages`, message('m1'));
      if (res.status === 400)
        expect(res.body.errors[0]).toContain("Use the vendorCallKey of the conversation's first call instead: t.");
      return res;
    },
  },
  TRANSCRIPT_KEY_NOT_FIRST_LEG: {
    obey: async (mock) => {
      await open(mock, 'root');
      await mock
        .post('/voiceCalls', inboundCall('second', { initiationMethod: 'Transfer', parentVoiceCallId: 'root' }))
        .expect(201);
      return mock.post('/voiceCalls/root/messages', message('m1'));
    },
    breaks: async (mock) => {
      await open(mock, 'root');
      await mock
        .post('/voiceCalls', inboundCall('second', { initiationMethod: 'Transfer', parentVoiceCallId: 'root' }))
        .expect(201);
      return mock.post('/voiceCalls/second/messages', message('m1'));
    },
    afterAccepted: (mock) => {
      // Taken for the conversation the leg belongs to.
      const root = findCall(mock.server.store, tenant(mock), 'root')!;
      expect(mock.server.store.transcriptsOf(tenant(mock), root.conversationId).map((e) => e.messageId)).toEqual([
        'm1',
      ]);
    },
  },
  TRANSCRIPT_CONVERSATION_CLOSED: {
    obey: async (mock) => {
      await open(mock, 'c');
      await mock.patch('/voiceCalls/c', { isActiveCall: true }).expect(200);
      return mock.post('/voiceCalls/c/messages', message('m1'));
    },
    breaks: async (mock) => {
      await open(mock, 'c');
      await mock.patch('/voiceCalls/c', { callOrigin: 'Voicemail' }).expect(200); // no isActiveCall: closes
      return mock.post('/voiceCalls/c/messages', message('m1'));
    },
    afterAccepted: (mock) => {
      const call = findCall(mock.server.store, tenant(mock), 'c')!;
      expect(mock.server.store.transcriptsOf(tenant(mock), call.conversationId)).toHaveLength(0);
    },
  },
  DUPLICATE_MESSAGE_ID: {
    obey: async (mock) => {
      await open(mock, 'd');
      await mock.post('/voiceCalls/d/messages', message('m1')).expect(202);
      return mock.post('/voiceCalls/d/messages', message('m2'));
    },
    breaks: async (mock) => {
      await open(mock, 'd');
      await mock.post('/voiceCalls/d/messages', message('m1')).expect(202);
      return mock.post('/voiceCalls/d/messages', message('m1', { content: 'again' }));
    },
    afterAccepted: (mock) => {
      const call = findCall(mock.server.store, tenant(mock), 'd')!;
      const entries = mock.server.store.transcriptsOf(tenant(mock), call.conversationId);
      expect(entries.map((e) => e.content)).toEqual(['utterance m1']);
    },
  },
  TRANSCRIPT_OUTSIDE_WINDOW: {
    obey: async (mock) => {
      await open(mock, 'w');
      return mock.post('/voiceCalls/w/messages', message('m1'));
    },
    breaks: async (mock) => {
      await open(mock, 'w');
      // Epoch seconds instead of milliseconds: 1970, long before the call.
      return mock.post(
        '/voiceCalls/w/messages',
        message('m1', { startTime: Math.floor(IN_CALL / 1000), endTime: Math.floor(IN_CALL / 1000) + 2 }),
      );
    },
    afterAccepted: (mock) => {
      const call = findCall(mock.server.store, tenant(mock), 'w')!;
      expect(mock.server.store.transcriptsOf(tenant(mock), call.conversationId)).toHaveLength(0);
    },
  },
  BULK_TRANSCRIPT_LIMITS: {
    obey: async (mock) => {
      await open(mock, 'b');
      const messages = Array.from({ length: 5 }, (_, i) => message(`m${i}`, { startTime: IN_CALL + i }));
      return mock.post('/voiceCalls/messages', { entries: [{ vendorCallKey: 'b', messages }] });
    },
    breaks: async (mock) => {
      await open(mock, 'b');
      // What the Contact Lens Lambda sends: every utterance of the contact in one entry.
      const messages = Array.from({ length: 7 }, (_, i) => message(`m${i}`, { startTime: IN_CALL + i }));
      return mock.post('/voiceCalls/messages', { entries: [{ vendorCallKey: 'b', messages }] });
    },
    afterAccepted: (mock) => {
      const call = findCall(mock.server.store, tenant(mock), 'b')!;
      expect(mock.server.store.transcriptsOf(tenant(mock), call.conversationId)).toHaveLength(7);
    },
  },
  REALTIME_EVENTS_CONVERSATION_CLOSED: {
    obey: async (mock) => {
      await open(mock, 'rt');
      return mock.post('/voiceCalls/rt/realtimeConversationEvents', {
        service: 'AmazonConnectContactLens',
        events: [sentiment(IN_CALL, 'AGENT')],
      });
    },
    breaks: async (mock) => {
      await open(mock, 'rt');
      await close(mock, 'rt');
      return mock.post('/voiceCalls/rt/realtimeConversationEvents', {
        service: 'AmazonConnectContactLens',
        events: [sentiment(IN_CALL, 'AGENT')],
      });
    },
  },
  POST_CALL_EVENTS_CONVERSATION_OPEN: {
    obey: async (mock) => {
      await open(mock, 'pc');
      await close(mock, 'pc');
      return mock.post('/voiceCalls/pc/postConversationEvents', {
        service: 'AmazonConnectContactLens',
        events: [postCallEvent(IN_CALL)],
      });
    },
    breaks: async (mock) => {
      await open(mock, 'pc');
      return mock.post('/voiceCalls/pc/postConversationEvents', {
        service: 'AmazonConnectContactLens',
        events: [postCallEvent(IN_CALL)],
      });
    },
  },
  EVENTS_NOT_SORTED: {
    obey: async (mock) => {
      await open(mock, 's');
      return mock.post('/voiceCalls/s/realtimeConversationEvents', {
        service: 'AmazonConnectContactLens',
        events: [sentiment(IN_CALL, 'AGENT'), sentiment(IN_CALL + 5, 'CUSTOMER')],
      });
    },
    breaks: async (mock) => {
      await open(mock, 's');
      return mock.post('/voiceCalls/s/realtimeConversationEvents', {
        service: 'AmazonConnectContactLens',
        events: [sentiment(IN_CALL + 5, 'AGENT'), sentiment(IN_CALL, 'CUSTOMER')],
      });
    },
  },
  EVENT_TIME_IN_SECONDS: {
    obey: async (mock) => {
      await open(mock, 'sec');
      return mock.post('/voiceCalls/sec/realtimeConversationEvents', {
        service: 'AmazonConnectContactLens',
        events: [sentiment(IN_CALL, 'AGENT')],
      });
    },
    breaks: async (mock) => {
      await open(mock, 'sec');
      // The reference page's own example: seconds, not milliseconds.
      return mock.post('/voiceCalls/sec/realtimeConversationEvents', {
        service: 'AmazonConnectContactLens',
        events: [{ type: 'IntelligenceSignal__Category', value: 'CustomerAngry', startTime: 1573503450 }],
      });
    },
    afterAccepted: (mock) => {
      const call = findCall(mock.server.store, tenant(mock), 'sec')!;
      expect(mock.server.store.eventsOf(tenant(mock), call.conversationId)[0]?.events[0]).toMatchObject({
        startTime: 1573503450,
      });
      const check = mock.server.journal
        .list(mock.tenant.key)
        .entries.at(-1)!
        .checks.find((c) => c.rule === 'EVENT_TIME_IN_SECONDS');
      if (check?.outcome === 'warning')
        expect(check.message).toContain(
          'events[0].startTime 1573503450 looks like epoch seconds (2019-11-11T20:17:30.000Z if it is seconds)',
        );
    },
  },
  SENTIMENT_WITHOUT_PARTICIPANT: {
    obey: async (mock) => {
      await open(mock, 'sp');
      return mock.post('/voiceCalls/sp/realtimeConversationEvents', {
        service: 'AmazonConnectContactLens',
        events: [
          { type: 'IntelligenceSignal__Category', value: 'CustomerAngry', startTime: IN_CALL },
          sentiment(IN_CALL + 1, 'CUSTOMER'),
        ],
      });
    },
    breaks: async (mock) => {
      await open(mock, 'sp');
      return mock.post('/voiceCalls/sp/realtimeConversationEvents', {
        service: 'AmazonConnectContactLens',
        events: [sentiment(IN_CALL)],
      });
    },
  },
  SENTIMENT_SCORE_OUT_OF_RANGE: {
    obey: async (mock) => {
      await open(mock, 'range');
      return mock.post('/voiceCalls/range/realtimeConversationEvents', {
        service: 'AmazonConnectContactLens',
        events: [
          { ...sentiment(IN_CALL, 'CUSTOMER'), value: '-1000', score: 1000 },
          { ...sentiment(IN_CALL + 1, 'AGENT'), value: '1000', score: '0' },
        ],
      });
    },
    breaks: async (mock) => {
      await open(mock, 'range');
      return mock.post('/voiceCalls/range/realtimeConversationEvents', {
        service: 'AmazonConnectContactLens',
        events: [sentiment(IN_CALL, 'CUSTOMER'), { ...sentiment(IN_CALL + 1, 'AGENT'), value: '1500' }],
      });
    },
    afterAccepted: (mock) => {
      const check = mock.server.journal
        .list(mock.tenant.key)
        .entries.at(-1)!
        .checks.find((c) => c.rule === 'SENTIMENT_SCORE_OUT_OF_RANGE');
      expect(check?.message).toContain('events[1].value "1500" is not a sentiment from -1000 to 1000');
    },
  },
  OMNIFLOW_ON_CLOSED_CALL: {
    obey: async (mock) => {
      await open(mock, 'of');
      return omniFlow(mock, 'of');
    },
    breaks: async (mock) => {
      await open(mock, 'of');
      await close(mock, 'of');
      return omniFlow(mock, 'of');
    },
  },
  OMNIFLOW_WHILE_ROUTING_PENDING: {
    obey: async (mock) => {
      await open(mock, 'twice');
      await omniFlow(mock, 'twice').expect(200);
      await mock.patch('/voiceCalls/twice/clearRouting').expect(200);
      return omniFlow(mock, 'twice');
    },
    breaks: async (mock) => {
      await open(mock, 'twice');
      await omniFlow(mock, 'twice').expect(200);
      return omniFlow(mock, 'twice');
    },
  },
  VOICEMAIL_WITHOUT_VOICEMAIL_ROUTING: {
    options: () => ({ fixturesFile: orgWithoutVoicemailRouting() }),
    obey: async (mock) => {
      await open(mock, 'live');
      return omniFlow(mock, 'live');
    },
    breaks: async (mock) => {
      await open(mock, 'vm', { callOrigin: 'Voicemail' });
      return omniFlow(mock, 'vm');
    },
    afterAccepted: (mock) => {
      // The channel's live-call routing was used.
      expect(findCall(mock.server.store, tenant(mock), 'vm')!.lastRouting?.queue).toBe(
        'arn:aws:connect:us-east-1:000000000000:instance/scv-mock/queue/support',
      );
    },
  },
  CLEAR_ROUTING_WITHOUT_PENDING: {
    obey: async (mock) => {
      await open(mock, 'cr');
      await omniFlow(mock, 'cr').expect(200);
      const res = await mock.patch('/voiceCalls/cr/clearRouting');
      const call = findCall(mock.server.store, tenant(mock), 'cr')!;
      expect(mock.server.store.pendingRoutingOf(tenant(mock), call.id)).toBeUndefined();
      return res;
    },
    breaks: async (mock) => {
      await open(mock, 'cr');
      return mock.patch('/voiceCalls/cr/clearRouting');
    },
  },
  UNIFIED_ROUTING_REQUIRED: {
    obey: async (mock) => {
      const unified = await openUnified(mock, 'u');
      return unified.post('/voiceCalls/u/requestCallback', { callbackNumber: '+15551234567' });
    },
    breaks: async (mock) => {
      await open(mock, 'u');
      return mock.post('/voiceCalls/u/requestCallback', { callbackNumber: '+15551234567' });
    },
    afterAccepted: (mock) => {
      // Not processed: no ContactRequest.
      expect(mock.server.store.counts().contactRequests).toBe(0);
    },
  },
  ROUTE_ON_CLOSED_CALL: {
    obey: async (mock) => {
      const unified = await openUnified(mock, 'r');
      return unified.post('/voiceCalls/r/routeVoiceCall', { routingTarget: '00GSM00000000062AA' });
    },
    breaks: async (mock) => {
      const unified = await openUnified(mock, 'r');
      await unified.patch('/voiceCalls/r', {}).expect(200);
      return unified.post('/voiceCalls/r/routeVoiceCall', { routingTarget: '00GSM00000000062AA' });
    },
  },
  REROUTE_WITHOUT_ROUTING: {
    obey: async (mock) => {
      const unified = await openUnified(mock, 'rr');
      await unified.post('/voiceCalls/rr/routeVoiceCall', { routingTarget: '005SM0000000004YAA' }).expect(200);
      return unified.patch('/voiceCalls/rr/reroute');
    },
    breaks: async (mock) => {
      const unified = await openUnified(mock, 'rr');
      return unified.post('/voiceCalls/rr/reroute');
    },
  },
  UNDOCUMENTED_FIELD: {
    obey: async (mock) => {
      await open(mock, 'f');
      return mock.patch('/voiceCalls/f/omniFlow', { flowDevName: 'Support_Routing_Flow' });
    },
    breaks: async (mock) => {
      await open(mock, 'f');
      return mock.patch('/voiceCalls/f/omniFlow', { flowName: 'Support_Routing_Flow' });
    },
    afterAccepted: (mock) => {
      // flowName is honoured as flowDevName.
      expect(findCall(mock.server.store, tenant(mock), 'f')!.lastRouting).toMatchObject({
        flowDevName: 'Support_Routing_Flow',
        agent: 'arn:aws:connect:us-east-1:000000000000:instance/scv-mock/agent/ada',
        queue: 'arn:aws:connect:us-east-1:000000000000:instance/scv-mock/queue/support',
      });
    },
  },
  CALL_ATTRIBUTES_NOT_JSON: {
    obey: (mock) => mock.post('/voiceCalls', inboundCall('a', { callAttributes: '{"Department__c":"Support"}' })),
    breaks: (mock) => mock.post('/voiceCalls', inboundCall('a', { callAttributes: '{Department__c: Support}' })),
  },
  RESERVE_COUNTRY_NOT_LISTED: {
    obey: (mock) => mock.post('/voiceCalls/reserveRoutableNumber', { countryCode: 'GB', fromNumber: '+447700900123' }),
    // The page's own example: a US number, which its table does not list.
    breaks: (mock) => mock.post('/voiceCalls/reserveRoutableNumber', { country: 'US', fromNumber: '+14155551234' }),
    afterAccepted: (mock) => {
      const reservations = mock.server.store.numberReservationsOf(tenant(mock));
      expect(reservations.map((r) => r.countryCode)).toEqual(['US']);
    },
  },
};

/** The rule ids of the Scv-Mock-Warnings header (its items may carry parameters: ID;field="…"). */
const warningsOf = (res: Response): string[] =>
  String(res.headers['scv-mock-warnings'] ?? '')
    .split(',')
    .map((s) => s.trim().split(';')[0]!)
    .filter(Boolean);

let mock: Harness | undefined;
afterEach(async () => {
  await mock?.server.close();
  mock = undefined;
});

function expectRefused(res: Response, id: RuleId): void {
  const rule = ruleById(id);
  if (res.status === 207) {
    // Bulk transcripts refuse per entry, in the partial-failure body.
    expect(res.body.errorResponse.errorResponseEntries).toContainEqual(
      expect.objectContaining({ rule: id, status: rule.status }),
    );
    return;
  }
  expect(res.status, JSON.stringify(res.body)).toBe(rule.status);
  const body = errorResponseSchema.parse(res.body);
  expect(body.rule).toBe(id);
  expect(body.errorCode).toBe(rule.status === 409 ? 'SEQUENCE_VIOLATION' : 'RULE_VIOLATION');
  expect(body.errors[0]).not.toMatch(/\{\w+\}/); // every placeholder filled
}

function expectLetThrough(res: Response, id: RuleId): void {
  expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(200);
  expect(res.status).toBeLessThan(300);
  expect(warningsOf(res)).toContain(id);
}

const withLevel = (id: RuleId, level: 'refuse' | 'warn' | 'off'): MockServerOptions => ({
  ruleSettings: [{ from: 'flag', settings: { [id]: level } }],
});

describe.each(SEQUENCE_RULES.map((rule) => [rule.id, rule] as const))('rule %s', (id) => {
  const rule = ruleById(id);
  const c = CASES[id];
  const refusesByDefault = defaultLevel(rule) === 'refuse';

  it('lets a sequence that obeys it through, without hitting it', async () => {
    mock = await startMock(c.options?.());
    const res = await c.obey(mock);
    expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    expect(warningsOf(res)).not.toContain(id);
  });

  it(
    refusesByDefault
      ? `refuses a sequence that breaks it with ${rule.status} (strict, by default)`
      : 'accepts a sequence that breaks it, with a warning (by default)',
    async () => {
      mock = await startMock({ mode: 'strict', ...c.options?.() });
      const res = await c.breaks(mock);
      if (refusesByDefault) {
        expectRefused(res, id);
      } else {
        expectLetThrough(res, id);
        c.afterAccepted?.(mock);
      }
    },
  );

  if (refusesByDefault) {
    it('accepts it in lenient mode, recorded as a violation', async () => {
      mock = await startMock({ mode: 'lenient', ...c.options?.() });
      const res = await c.breaks(mock);
      expectLetThrough(res, id);
      const checks = mock.server.journal.list(mock.tenant.key).entries.at(-1)!.checks;
      expect(checks.filter((check) => check.rule === id).map((check) => check.outcome)).toContain('violation');
      c.afterAccepted?.(mock);
    });
    it('accepts it with a warning when set to warn', async () => {
      mock = await startMock({ ...withLevel(id, 'warn'), ...c.options?.() });
      expectLetThrough(await c.breaks(mock), id);
      c.afterAccepted?.(mock);
    });
  } else {
    it(`refuses it with ${rule.status} when set to refuse, saying the run set it and not what a let-through would have done`, async () => {
      mock = await startMock({ ...withLevel(id, 'refuse'), ...c.options?.() });
      const res = await c.breaks(mock);
      expectRefused(res, id);
      const message =
        res.status === 207
          ? String(res.body.errorResponse.errorResponseEntries[0].message)
          : String(res.body.errors[0]);
      expect(message).not.toContain(rule.letThrough);
      expect(message).toContain(
        `(Refused because this run sets ${id} to refuse with --rule; by default it is a warning.)`,
      );
    });
  }

  it('neither refuses nor reports it when set to off', async () => {
    mock = await startMock({ ...withLevel(id, 'off'), ...c.options?.() });
    const res = await c.breaks(mock);
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    expect(warningsOf(res)).not.toContain(id);
    const checks = mock.server.journal.list(mock.tenant.key).entries.flatMap((entry) => entry.checks);
    expect(checks.map((check) => check.rule)).not.toContain(id);
    // What the service does with such a request does not depend on whether the mock reports it.
    if (rule.kind === 'behaviour') c.afterAccepted?.(mock);
  });
});
