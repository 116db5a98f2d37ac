/**
 * Every telephony operation of openapi.yaml over HTTP: a valid request answers its documented success
 * status with a body that parses with the operation's zod response schema (and has the documented
 * values), and a schema violation answers 400 INVALID_REQUEST naming the field. Also: bulk limits,
 * unknown calls, omniFlow precedence, isActiveCall semantics on transfer chains, {CALL_ID} resolution
 * and the Telephony-Provider-Name header. The sequence rules themselves live in sequence-rules-http.test.ts.
 */
import request, { type Response } from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { OPERATION_CONTRACTS, OPERATION_OF_OPERATION_ID, type Operation } from '../contracts/operations.ts';
import { errorResponseSchema, RESERVED_PATH_WORDS, type ErrorResponse } from '../contracts/wire-schemas.ts';
import { findCall } from '../mock-server/domain/call-resolution.ts';
import { SpecRouter } from '../mock-server/openapi/spec-router.ts';
import { loadSpecDocument, telephonySurface } from '../mock-server/openapi/spec-document.ts';
import type { VoiceCallRecord } from '../mock-server/store/records.ts';
import { API, AUTH, inboundCall, IN_CALL, message, startMock, UNIFIED, type Harness } from './support/mock-harness.ts';
import { specOperations } from './support/spec-schemas.ts';

const ARN = 'arn:aws:connect:us-east-1:000000000000:instance/scv-mock';
const QUEUE = {
  support: `${ARN}/queue/support`,
  sales: `${ARN}/queue/sales`,
  voicemail: `${ARN}/queue/voicemail`,
  billing: `${ARN}/queue/billing`,
  general: 'arn:aws:connect:us-east-1:000000000000:instance/scv-mock-unified/queue/general',
};
const AGENT = {
  ada: `${ARN}/agent/ada`,
  grace: `${ARN}/agent/grace`,
  katherine: 'arn:aws:connect:us-east-1:000000000000:instance/scv-mock-unified/agent/katherine',
  dorothy: 'arn:aws:connect:us-east-1:000000000000:instance/scv-mock-unified/agent/dorothy',
};
const SALESFORCE_18 = /^[0-9A-Za-z]{18}$/;

let mock: Harness;
afterEach(async () => {
  await mock?.server.close();
});

// ---------------------------------------------------------------------------------------------- helpers

const tenant = () => mock.tenant.key;
const store = () => mock.server.store;
const callOf = (key: string): VoiceCallRecord => {
  const call = findCall(store(), tenant(), key);
  expect(call, `call ${key}`).toBeDefined();
  return call!;
};
const conversationOf = (key: string) => store().getConversation(tenant(), callOf(key).conversationId)!;
const pendingOf = (key: string) => store().pendingRoutingOf(tenant(), callOf(key).id);

/** Asserts the exact success status and parses the body with the operation's response schema. */
function success(op: Operation, status: number, res: Response): unknown {
  expect(res.status, `${op}: ${JSON.stringify(res.body)}`).toBe(status);
  const schema = OPERATION_CONTRACTS[op].responses[status];
  expect(schema, `${op} documents ${status}`).toBeDefined();
  return schema!.parse(res.body);
}

/** Asserts a documented error body with this status and code. */
function failure(res: Response, status: number, errorCode: ErrorResponse['errorCode']): ErrorResponse {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const body = errorResponseSchema.parse(res.body);
  expect(body.errorCode).toBe(errorCode);
  return body;
}

/** A 400 INVALID_REQUEST whose `details` and `errors` both name `field`. */
function invalid(res: Response, field: string): ErrorResponse {
  const body = failure(res, 400, 'INVALID_REQUEST');
  expect(
    body.details?.map((d) => d.field),
    JSON.stringify(body),
  ).toContain(field);
  expect(
    body.errors.some((e) => e.includes(field)),
    JSON.stringify(body.errors),
  ).toBe(true);
  return body;
}

const open = (key: string, extra: Record<string, unknown> = {}) =>
  mock.post('/voiceCalls', inboundCall(key, extra)).expect(201);
const openUnified = (key: string) => open(key, { callCenterApiName: 'UnifiedContactCenter', to: '+14155550100' });
const transfer = (key: string, parent: string, extra: Record<string, unknown> = {}) =>
  mock
    .post('/voiceCalls', inboundCall(key, { initiationMethod: 'Transfer', parentVoiceCallId: parent, ...extra }))
    .expect(201);
const sentiment = (startTime: number, participant = 'CUSTOMER') => ({
  type: 'IntelligenceSignal__Sentiment',
  value: '-400.13',
  score: 800,
  participant,
  startTime,
});
const postCallEvent = (startTime: number) => ({
  type: 'IntelligenceSignal__Sentiment',
  value: '250.5',
  participant: 'CUSTOMER',
  startTime,
  endTime: startTime + 1000,
});

/** Requests every test below covers, by operationId; checked against the spec. */
const COVERED = new Set<string>();
const covers = (operationId: string) => {
  COVERED.add(operationId);
  return operationId;
};

// ------------------------------------------------------------------------------------------ operations

describe(covers('createVoiceCall'), () => {
  it('creates a call: 201 {voiceCallId: 18-char 0LQ id, errors: []} and stores it', async () => {
    mock = await startMock();
    const body = success(
      'createVoiceCall',
      201,
      await mock.post(
        '/voiceCalls',
        inboundCall('c-1', { callSubtype: 'PSTN', callAttributes: '{"MyField__c":"abc"}' }),
      ),
    );
    expect(body).toEqual({ voiceCallId: expect.stringMatching(/^0LQ[0-9A-Za-z]{15}$/), errors: [] });
    const call = callOf('c-1');
    expect(call.id).toBe((body as { voiceCallId: string }).voiceCallId);
    expect(call).toMatchObject({
      callCenterApiName: 'MyContactCenter',
      callType: 'Inbound',
      to: '999999999',
      disposition: 'new',
      endedBy: null,
      callAttributes: '{"MyField__c":"abc"}',
    });
    expect(conversationOf('c-1')).toMatchObject({ status: 'open', firstCallId: call.id, firstVendorCallKey: 'c-1' });
  });

  it('answers a field of the wrong format with 400 naming it', async () => {
    mock = await startMock();
    const body = invalid(await mock.post('/voiceCalls', inboundCall('c-bad', { startTime: 'yesterday' })), 'startTime');
    expect(body.errors.join(' ')).toContain('ISO-8601');
    expect(store().counts().calls).toBe(0);
  });

  it('answers a missing required field with 400 naming it', async () => {
    mock = await startMock();
    const create = inboundCall('c-missing');
    delete create.to;
    invalid(await mock.post('/voiceCalls', create), 'to');
  });

  it('answers a bad enum value with 400 naming the nested field', async () => {
    mock = await startMock();
    invalid(
      await mock.post(
        '/voiceCalls',
        inboundCall('c-enum', { participants: [{ participantKey: '+1555', type: 'AGENT' }] }),
      ),
      'participants[0].type',
    );
  });

  it('answers initiationMethod Transfer without parentVoiceCallId with 400 naming parentVoiceCallId', async () => {
    mock = await startMock();
    const body = invalid(
      await mock.post('/voiceCalls', inboundCall('t-orphan', { initiationMethod: 'Transfer' })),
      'parentVoiceCallId',
    );
    expect(body.details).toContainEqual({ field: 'parentVoiceCallId', problem: expect.stringContaining('Transfer') });
    expect(store().counts().calls).toBe(0);
  });

  it('answers callAttributes sent as an object with 400 that says to JSON-encode it', async () => {
    mock = await startMock();
    const body = invalid(
      await mock.post('/voiceCalls', inboundCall('attrs', { callAttributes: { Department__c: 'Support' } })),
      'callAttributes',
    );
    expect(body.errors.join(' ')).toMatch(/JSON-encode/);
    expect(body.details!.find((d) => d.field === 'callAttributes')!.problem).toMatch(/JSON-encode/);
  });

  it("answers a callCenterApiName other than the token's contact center with 403 naming both", async () => {
    mock = await startMock();
    for (const other of ['NoSuchCenter', 'UnifiedContactCenter']) {
      const body = failure(
        await mock.post('/voiceCalls', inboundCall('cc', { callCenterApiName: other })),
        403,
        'AUTH_CONTACT_CENTER_MISMATCH',
      );
      expect(body.errors[0]).toContain(other);
      expect(body.errors[0]).toContain('sub "MyContactCenter"');
    }
    expect(store().counts().calls).toBe(0);
  });

  it("creates a transfer leg linked to its parent (201) in the parent's conversation", async () => {
    mock = await startMock();
    await open('p');
    const res = await mock.post(
      '/voiceCalls',
      inboundCall('p-2', { initiationMethod: 'Transfer', parentVoiceCallId: 'p', queue: 'Support_Queue' }),
    );
    const body = success('createVoiceCall', 201, res) as { voiceCallId: string };
    const parent = callOf('p');
    expect(callOf('p-2')).toMatchObject({
      id: body.voiceCallId,
      callType: 'Transfer',
      previousCallId: parent.id,
      conversationId: parent.conversationId,
      ownerId: '00GSM00000000012AA',
    });
    // The transfer ends the parent leg: it has an end time (the new leg's start) and says what ended it.
    expect(parent).toMatchObject({
      nextCallId: body.voiceCallId,
      disposition: 'transferred',
      endedBy: 'transfer',
      endTime: '2022-08-02T17:32:28Z',
    });
  });
});

describe('Telephony-Provider-Name', () => {
  it('is optional and recorded on the created call as providerName', async () => {
    mock = await startMock();
    await mock
      .post('/voiceCalls', inboundCall('with-provider'))
      .set('Telephony-Provider-Name', 'amazon-connect')
      .expect(201);
    await open('without-provider');
    expect(callOf('with-provider').providerName).toBe('amazon-connect');
    expect(callOf('without-provider').providerName).toBeNull();
  });
});

describe(covers('updateVoiceCall'), () => {
  it('answers 200 {status: "pending"} and applies the fields', async () => {
    mock = await startMock();
    await open('u');
    const res = await mock.patch('/voiceCalls/u', {
      isActiveCall: true,
      acceptTime: '2022-08-02T17:32:35Z',
      agent: 'ada.lovelace@scv-mock.example',
      numberOfHolds: 2,
      disconnectReason: { value: 'TELECOM_PROBLEM', isError: true },
    });
    expect(success('updateVoiceCall', 200, res)).toEqual({ status: 'pending' });
    expect(callOf('u')).toMatchObject({
      agent: 'ada.lovelace@scv-mock.example',
      numberOfHolds: 2,
      disposition: 'in-progress',
      endedBy: null,
      disconnectReason: { value: 'TELECOM_PROBLEM', isError: true },
      updateCount: 1,
    });
  });

  it('takes acceptTime "" (no rep ever connected, as the post-call sync sends it): no accept time, the call stays new', async () => {
    mock = await startMock();
    await open('never');
    success(
      'updateVoiceCall',
      200,
      await mock.patch('/voiceCalls/never', { acceptTime: '', endTime: '2022-08-02T17:33:00Z' }),
    );
    expect(callOf('never')).toMatchObject({ acceptTime: null, disposition: 'completed', endedBy: 'update' });
    invalid(await mock.patch('/voiceCalls/never', { acceptTime: 'later' }), 'acceptTime');
  });

  it('names an undocumented field and the documented one it likely means, in the Scv-Mock-Warnings header', async () => {
    mock = await startMock();
    await open('typo');
    const res = await mock
      .patch('/voiceCalls/typo', { isActiveCall: true, callOrigen: 'Voicemail', sécret: 1 })
      .expect(200);
    expect(res.headers['scv-mock-warnings']).toBe(
      'UNDOCUMENTED_FIELD;field="callOrigen";suggest="callOrigin", UNDOCUMENTED_FIELD;field="s%C3%A9cret"',
    );
    const check = mock.server.journal
      .list(tenant())
      .entries.at(-1)!
      .checks.find((c) => c.rule === 'UNDOCUMENTED_FIELD');
    expect(check?.message).toContain('callOrigen (did you mean callOrigin?), sécret');
    expect(callOf('typo').callOrigin).toBeNull();
  });

  it('answers disconnectReason without isError with 400 naming disconnectReason.isError', async () => {
    mock = await startMock();
    await open('dr');
    const body = invalid(
      await mock.patch('/voiceCalls/dr', { isActiveCall: true, disconnectReason: { value: 'TELECOM_PROBLEM' } }),
      'disconnectReason.isError',
    );
    expect(body.errors.join(' ')).toContain('required');
    expect(callOf('dr')).toMatchObject({ updateCount: 0, disconnectReason: null });
  });

  it('answers a negative counter with 400 naming it', async () => {
    mock = await startMock();
    await open('neg');
    invalid(await mock.patch('/voiceCalls/neg', { isActiveCall: true, numberOfHolds: -1 }), 'numberOfHolds');
  });

  it("takes the fields Salesforce's post-call sync and Lambda handler add (no warning); an update that creates the call takes its type, numbers and subtype from them", async () => {
    mock = await startMock();
    const res = await mock.patch('/voiceCalls/ctr-outbound', {
      startTime: '2024-05-01T10:00:00Z',
      endTime: '2024-05-01T10:02:00Z',
      initiationMethod: 'OUTBOUND',
      fromNumber: '+18005550100',
      toNumber: '+15551234567',
      callSubType: 'PSTN',
      parentCallIdentifier: null,
      secretName: 'scv-org-b',
      callCenterApiName: 'MyContactCenter',
    });
    success('updateVoiceCall', 200, res);
    expect(res.headers['scv-mock-warnings']).toBe('UPDATE_CREATES_CALL');
    expect(callOf('ctr-outbound')).toMatchObject({
      callType: 'Outbound',
      to: '+15551234567',
      from: '+18005550100',
      callSubtype: 'PSTN',
      createdVia: 'update',
    });

    for (const [key, method, type] of [
      ['ctr-cb', 'CALLBACK', 'Callback'],
      ['ctr-tr', 'QUEUE_TRANSFER', 'Transfer'],
      ['ctr-api', 'INBOUND', 'Inbound'],
      ['ctr-other', 'MONITOR', 'Inbound'],
    ] as const) {
      await mock.patch(`/voiceCalls/${key}`, { initiationMethod: method, endTime: '2024-05-01T10:02:00Z' }).expect(200);
      expect(callOf(key).callType).toBe(type);
    }

    // On a call that exists, they fill what the call lacks and change nothing else.
    await open('known');
    await mock
      .patch('/voiceCalls/known', { isActiveCall: true, initiationMethod: 'OUTBOUND', toNumber: '+15550000000' })
      .expect(200);
    expect(callOf('known')).toMatchObject({ callType: 'Inbound', to: '999999999' });
  });

  it("answers a callCenterApiName other than the token's with 403, and a wrongly typed Lambda field with 400 naming it", async () => {
    mock = await startMock();
    await open('cc');
    const refused = await mock.patch('/voiceCalls/cc', { isActiveCall: true, callCenterApiName: 'OtherContactCenter' });
    expect(refused.status).toBe(403);
    expect(refused.body.errorCode).toBe('AUTH_CONTACT_CENTER_MISMATCH');
    expect(callOf('cc').updateCount).toBe(0);
    invalid(await mock.patch('/voiceCalls/cc', { isActiveCall: true, initiationMethod: 7 }), 'initiationMethod');
    invalid(await mock.patch('/voiceCalls/cc', { isActiveCall: true, toNumber: ['+1'] }), 'toNumber');
    invalid(await mock.patch('/voiceCalls/cc', { isActiveCall: true, callCenterApiName: '' }), 'callCenterApiName');
  });

  it('answers isActiveCall as a string with 400 naming it (and does not end the call)', async () => {
    mock = await startMock();
    await open('str');
    invalid(await mock.patch('/voiceCalls/str', { isActiveCall: 'true' }), 'isActiveCall');
    expect(callOf('str').endedBy).toBeNull();
    expect(conversationOf('str').status).toBe('open');
  });
});

describe(covers('createTranscript'), () => {
  it('answers 202 {result: "Accepted"} and stores the message', async () => {
    mock = await startMock();
    await open('tr');
    expect(success('createTranscript', 202, await mock.post('/voiceCalls/tr/messages', message('m1')))).toEqual({
      result: 'Accepted',
    });
    expect(store().transcriptsOf(tenant(), callOf('tr').conversationId)).toEqual([
      expect.objectContaining({ messageId: 'm1', content: 'utterance m1', senderType: 'END_USER', startTime: IN_CALL }),
    ]);
  });

  it('answers a bad senderType with 400 naming it', async () => {
    mock = await startMock();
    await open('tr');
    invalid(await mock.post('/voiceCalls/tr/messages', message('m1', { senderType: 'ROBOT' })), 'senderType');
    expect(store().transcriptsOf(tenant(), callOf('tr').conversationId)).toHaveLength(0);
  });

  it('answers a missing messageId with 400 naming it', async () => {
    mock = await startMock();
    await open('tr');
    const body = message('m1');
    delete body.messageId;
    invalid(await mock.post('/voiceCalls/tr/messages', body), 'messageId');
  });

  it('answers an unknown vendorCallKey with 404 CALL_NOT_FOUND', async () => {
    mock = await startMock();
    const body = failure(await mock.post('/voiceCalls/nobody/messages', message('m1')), 404, 'CALL_NOT_FOUND');
    expect(body.errors[0]).toContain('"nobody"');
  });
});

describe(covers('createTranscriptsBulk'), () => {
  const entry = (vendorCallKey: string, count = 1, prefix = vendorCallKey) => ({
    vendorCallKey,
    messages: Array.from({ length: count }, (_, i) =>
      message(`${prefix}-${i}`, { startTime: IN_CALL + i, endTime: IN_CALL + i + 1 }),
    ),
  });

  it('answers 202 {result: "Accepted"} and stores every entry\'s messages', async () => {
    mock = await startMock();
    await open('b1');
    await open('b2');
    const res = await mock.post('/voiceCalls/messages', {
      entries: [entry('b1', 5), entry('b2', 2), entry('b1', 1, 'b1-again')],
    });
    expect(success('createTranscriptsBulk', 202, res)).toEqual({ result: 'Accepted' });
    expect(store().transcriptsOf(tenant(), callOf('b1').conversationId)).toHaveLength(6);
    expect(store().transcriptsOf(tenant(), callOf('b2').conversationId)).toHaveLength(2);
  });

  // The page's 5 × 5 limits are rule BULK_TRANSCRIPT_LIMITS: a warning by default, because Salesforce's
  // own Contact Lens Lambda sends more (sequence-rules-http.test.ts covers the rule's levels).
  it('takes 6 entries with 202 and a BULK_TRANSCRIPT_LIMITS warning naming the count', async () => {
    mock = await startMock();
    await open('b');
    const entries = Array.from({ length: 6 }, (_, i) => entry('b', 1, `e${i}`));
    const res = await mock.post('/voiceCalls/messages', { entries }).expect(202);
    expect(res.headers['scv-mock-warnings']).toBe('BULK_TRANSCRIPT_LIMITS');
    expect(mock.server.journal.list(mock.tenant.key).entries.at(-1)!.checks).toContainEqual(
      expect.objectContaining({
        rule: 'BULK_TRANSCRIPT_LIMITS',
        outcome: 'warning',
        message: expect.stringContaining('the request has 6 entries'),
      }),
    );
    expect(store().counts().transcripts).toBe(6);
  });

  it('takes 6 messages in one entry with 202 and a warning naming that entry', async () => {
    mock = await startMock();
    await open('b');
    const res = await mock.post('/voiceCalls/messages', { entries: [entry('b', 6)] }).expect(202);
    expect(res.headers['scv-mock-warnings']).toBe('BULK_TRANSCRIPT_LIMITS');
    expect(mock.server.journal.list(mock.tenant.key).entries.at(-1)!.checks).toContainEqual(
      expect.objectContaining({
        rule: 'BULK_TRANSCRIPT_LIMITS',
        message: expect.stringContaining('entries[0] has 6 messages'),
      }),
    );
    expect(store().counts().transcripts).toBe(6);
  });

  it('answers an empty entries array with 400 naming entries', async () => {
    mock = await startMock();
    invalid(await mock.post('/voiceCalls/messages', { entries: [] }), 'entries');
  });

  it('answers one good and one unknown entry with 207 naming the unknown key (404), and stores the good one', async () => {
    mock = await startMock();
    await open('good');
    const res = await mock.post('/voiceCalls/messages', { entries: [entry('good', 2), entry('unknown-key', 1)] });
    const body = success('createTranscriptsBulk', 207, res) as {
      errorResponse: { errorResponseEntries: Array<Record<string, unknown>> };
    };
    expect(body.errorResponse.errorResponseEntries).toEqual([
      expect.objectContaining({
        vendorCallKey: 'unknown-key',
        status: 404,
        errorCode: 'CALL_NOT_FOUND',
        message: expect.stringContaining('unknown-key'),
      }),
    ]);
    const stored = store().transcriptsOf(tenant(), callOf('good').conversationId);
    expect(stored.map((m) => m.messageId).sort()).toEqual(['good-0', 'good-1']);
  });
});

describe(covers('executeOmniFlow'), () => {
  it('answers 200 with the agent and queue external ids of the routing map', async () => {
    mock = await startMock();
    await open('of');
    const res = await mock.patch('/voiceCalls/of/omniFlow', {
      flowDevName: 'Support_Routing_Flow',
      flowInputParameters: { Input1: 'one' },
    });
    expect(success('executeOmniFlow', 200, res)).toEqual({ agent: AGENT.ada, queue: QUEUE.support });
    expect(pendingOf('of')).toMatchObject({
      source: 'omniFlow',
      flowDevName: 'Support_Routing_Flow',
      agent: AGENT.ada,
      queue: QUEUE.support,
      repId: '005SM0000000001YAA',
      queueId: '00GSM00000000012AA',
    });
    expect(callOf('of').flowExecutedAt).not.toBeNull();
    // The routing lands on the call itself: owned by the rep the flow picked, with the queue's and rep's names.
    expect(callOf('of')).toMatchObject({
      ownerId: '005SM0000000001YAA',
      queue: 'Support_Queue',
      agent: 'ada.lovelace@scv-mock.example',
    });
  });

  it('a routing to a queue alone makes the queue the owner', async () => {
    mock = await startMock();
    await open('oq');
    await mock.patch('/voiceCalls/oq/omniFlow', { dialedNumber: '999999999' }).expect(200);
    expect(callOf('oq')).toMatchObject({ ownerId: '00GSM00000000012AA', queue: 'Support_Queue', agent: null });
  });

  it("routes the seed's number through its live flow (no agent) and accepts flowInputParameters as a string", async () => {
    mock = await startMock();
    await open('of');
    const res = await mock.patch('/voiceCalls/of/omniFlow', {
      dialedNumber: '999999999',
      flowInputParameters: '{"Input1":"one"}',
    });
    expect(success('executeOmniFlow', 200, res)).toEqual({ agent: null, queue: QUEUE.support });
  });

  it('answers a body with none of dialedNumber/flowDevName/fallbackQueue with 400 "needs at least one of"', async () => {
    mock = await startMock();
    await open('of');
    const body = failure(
      await mock.patch('/voiceCalls/of/omniFlow', { flowInputParameters: { Input1: 'one' } }),
      400,
      'INVALID_REQUEST',
    );
    expect(body.errors.join(' ')).toMatch(/needs at least one of/);
    for (const field of ['dialedNumber', 'flowDevName', 'fallbackQueue'])
      expect(body.errors.join(' ')).toContain(field);
    expect(body.details).toContainEqual({ field: '(body)', problem: expect.stringContaining('needs at least one of') });
    expect(pendingOf('of')).toBeUndefined();
  });

  it('answers a dialedNumber of the wrong type with 400 naming it', async () => {
    mock = await startMock();
    await open('of');
    invalid(await mock.patch('/voiceCalls/of/omniFlow', { dialedNumber: 999999999 }), 'dialedNumber');
  });

  it('answers an unknown CALL_ID with 404 CALL_NOT_FOUND', async () => {
    mock = await startMock();
    const body = failure(
      await mock.patch('/voiceCalls/ghost/omniFlow', { dialedNumber: '999999999' }),
      404,
      'CALL_NOT_FOUND',
    );
    expect(body.errors[0]).toContain('"ghost"');
  });

  describe('routing precedence', () => {
    it("falls back to the channel's fallback queue when the channel's flow fails (+14152988103, Broken_Flow → Billing_Queue)", async () => {
      mock = await startMock();
      await open('billing', { to: '+14152988103' });
      const res = await mock.patch('/voiceCalls/billing/omniFlow', {
        dialedNumber: '+14152988103',
        flowDevName: 'Support_Routing_Flow',
      });
      expect(success('executeOmniFlow', 200, res)).toEqual({ agent: null, queue: QUEUE.billing });
      expect(pendingOf('billing')).toMatchObject({ flowDevName: null, queueId: '00GSM00000000042AA' });
    });

    it("uses the request's flowDevName when the dialedNumber matches no phone channel", async () => {
      mock = await startMock();
      await open('flow');
      const res = await mock.patch('/voiceCalls/flow/omniFlow', {
        dialedNumber: '+19999999999',
        flowDevName: 'Support_Routing_Flow',
        fallbackQueue: 'Billing_Queue',
      });
      expect(success('executeOmniFlow', 200, res)).toEqual({ agent: AGENT.ada, queue: QUEUE.support });
    });

    it("uses the request's fallbackQueue (by developer name or id) when nothing before it routes", async () => {
      mock = await startMock();
      await open('fq');
      await open('fq-id');
      const byName = await mock.patch('/voiceCalls/fq/omniFlow', {
        dialedNumber: '+19999999999',
        flowDevName: 'Broken_Flow',
        fallbackQueue: 'Sales_Queue',
      });
      expect(success('executeOmniFlow', 200, byName)).toEqual({ agent: null, queue: QUEUE.sales });
      const byId = await mock.patch('/voiceCalls/fq-id/omniFlow', { fallbackQueue: '00GSM00000000042AA' });
      expect(success('executeOmniFlow', 200, byId)).toEqual({ agent: null, queue: QUEUE.billing });
    });

    it('answers 400 NO_ROUTE when nothing routes, and creates no pending routing', async () => {
      mock = await startMock();
      await open('lost');
      const res = await mock.patch('/voiceCalls/lost/omniFlow', {
        dialedNumber: '+19999999999',
        flowDevName: 'No_Such_Flow',
        fallbackQueue: 'Unmapped_Queue',
      });
      const body = failure(res, 400, 'NO_ROUTE');
      expect(body.errors[0]).toContain('+19999999999');
      expect(body.errors[0]).toContain('No_Such_Flow');
      expect(body.errors[0]).toContain('Unmapped_Queue');
      expect(pendingOf('lost')).toBeUndefined();
      expect(callOf('lost').flowExecutedAt).toBeNull();
    });

    it('Sales_Flow sends a live call to Sales_Queue with agent grace', async () => {
      mock = await startMock();
      await open('live', { to: '+18445791189' });
      const res = await mock.patch('/voiceCalls/live/omniFlow', { dialedNumber: '+18445791189' });
      expect(success('executeOmniFlow', 200, res)).toEqual({ agent: AGENT.grace, queue: QUEUE.sales });
      expect(pendingOf('live')).toMatchObject({
        flowDevName: 'Sales_Flow',
        repId: '005SM0000000002YAA',
        queueId: '00GSM00000000022AA',
      });
    });

    it('Sales_Flow sends a voicemail to the voicemail queue, with no agent', async () => {
      mock = await startMock();
      await open('vm', { callOrigin: 'Voicemail', to: '+18445791189' });
      const res = await mock.patch('/voiceCalls/vm/omniFlow', { flowDevName: 'Sales_Flow' });
      expect(success('executeOmniFlow', 200, res)).toEqual({ agent: null, queue: QUEUE.voicemail });
      expect(pendingOf('vm')).toMatchObject({ flowDevName: 'Sales_Flow', repId: null, queueId: '00GSM00000000032AA' });
    });

    it("a voicemail on the Sales line uses the channel's voicemail routing, not its live flow", async () => {
      mock = await startMock();
      await open('vm', { callOrigin: 'Voicemail', to: '+18445791189' });
      const res = await mock.patch('/voiceCalls/vm/omniFlow', { dialedNumber: '+18445791189' });
      expect(success('executeOmniFlow', 200, res)).toEqual({ agent: null, queue: QUEUE.voicemail });
    });
  });
});

describe(covers('routeVoiceCallByPath'), () => {
  it('PATCH /voiceCalls/route/{id} (the newer page, what the Lambda calls) routes like routeVoiceCall', async () => {
    mock = await startMock({}, UNIFIED);
    await openUnified('r');
    const res = await mock.patch('/voiceCalls/route/r', {
      routingTarget: '00GSM00000000062AA',
      flowInputParameters: {},
    });
    expect(success('routeVoiceCall', 200, res)).toEqual({ status: 'Success' });
    expect(pendingOf('r')).toMatchObject({ source: 'routeVoiceCall', queueId: '00GSM00000000062AA' });
    expect(mock.server.journal.list(tenant()).entries.at(-1)).toMatchObject({
      operationId: 'routeVoiceCallByPath',
      operation: 'routeVoiceCall',
    });
    // By Salesforce id too, and a body without routingTarget is a 400 naming it.
    await mock.patch(`/voiceCalls/route/${callOf('r').id}`, { routingTarget: '005SM0000000004YAA' }).expect(200);
    invalid(await mock.patch('/voiceCalls/route/r', {}), 'routingTarget');
    failure(
      await mock.patch('/voiceCalls/route/nobody', { routingTarget: '00GSM00000000062AA' }),
      404,
      'CALL_NOT_FOUND',
    );
  });
});

describe(covers('reserveRoutableNumber'), () => {
  const reserve = (body: Record<string, unknown>) => mock.post('/voiceCalls/reserveRoutableNumber', body);
  const us = {
    countryCode: 'US',
    fromNumber: '+14155551234',
    context: { toNumber: '+15551234567', callId: null, transactionId: 't-1' },
  };

  it('reserves a free number of the country for 180 s, and answers 503 with Retry-After once the pool is used up', async () => {
    // The mock's clock (tokens are checked against it too) starts now, on a whole second.
    let now = Math.floor(Date.now() / 1000) * 1000;
    mock = await startMock({ clock: () => new Date(now) });
    const first = success('reserveRoutableNumber', 200, await reserve(us)) as {
      handle: { routableNumber: string; uid: string; expiresAt: string };
    };
    expect(first).toEqual({
      status: 'success',
      mode: 'number',
      handle: {
        routableNumber: '+14155559876',
        uid: `lease:did:+14155559876:${now / 1000}`,
        expiresAt: new Date(now + 180_000).toISOString().replace('.000Z', 'Z'),
      },
    });
    expect(store().numberReservationsOf(tenant())).toEqual([
      expect.objectContaining({ routableNumber: '+14155559876', fromNumber: '+14155551234', transactionId: 't-1' }),
    ]);
    now += 30_000;
    const second = success('reserveRoutableNumber', 200, await reserve(us)) as { handle: { routableNumber: string } };
    expect(second.handle.routableNumber).toBe('+14155559877');
    now += 10_000;
    const full = await reserve(us);
    failure(full, 503, 'NUMBER_POOL_EXHAUSTED');
    expect(full.headers['retry-after']).toBe('140'); // the first reservation ends 140 s from now
    // Once it ends, its number is free again, and the ended reservation is replaced (one record per number).
    now += 140_000;
    expect(
      (success('reserveRoutableNumber', 200, await reserve(us)) as { handle: { routableNumber: string } }).handle
        .routableNumber,
    ).toBe('+14155559876');
    expect(store().numberReservationsOf(tenant())).toHaveLength(2);
  });

  it("takes the example's country as an alias of countryCode, with a warning naming countryCode", async () => {
    mock = await startMock();
    const res = await reserve({ country: 'GB', fromNumber: '+447700900123' });
    expect(
      (success('reserveRoutableNumber', 200, res) as { handle: { routableNumber: string } }).handle.routableNumber,
    ).toBe('+442071234567');
    expect(res.headers['scv-mock-warnings']).toBe('UNDOCUMENTED_FIELD;field="country";suggest="countryCode"');
  });

  it('answers a country the pool has no numbers of with 503 naming the countries it has', async () => {
    mock = await startMock();
    const body = failure(await reserve({ ...us, countryCode: 'FR' }), 503, 'NUMBER_POOL_EXHAUSTED');
    expect(body.errors[0]).toContain('has no FR numbers (it has US, GB)');
  });

  it('answers 400 for a number that is not E.164, a missing countryCode, or a country that is not two capitals', async () => {
    mock = await startMock();
    invalid(await reserve({ ...us, fromNumber: '4155551234' }), 'fromNumber');
    failure(await reserve({ fromNumber: '+14155551234' }), 400, 'INVALID_REQUEST');
    invalid(await reserve({ ...us, countryCode: 'usa' }), 'countryCode');
    expect(store().numberReservationsOf(tenant())).toEqual([]);
  });

  it('answers 403 FEATURE_NOT_ENABLED on a contact center without a number pool', async () => {
    mock = await startMock({}, UNIFIED);
    const body = failure(await reserve(us), 403, 'FEATURE_NOT_ENABLED');
    expect(body.errors[0]).toContain('Add "numberPool" to it in the org fixture');
  });
});

describe(covers('getVoicemailGreeting'), () => {
  it("answers the greeting of the dialed number's phone channel, and 404 or 400 otherwise", async () => {
    mock = await startMock();
    const res = await mock.call('GET', '/voiceCalls/voicemailGreeting?toPhoneNumber=999999999');
    expect(success('getVoicemailGreeting', 200, res)).toEqual({
      greetingUrl: 'https://recordings.example.com/greetings/support.wav',
    });
    expect(
      success(
        'getVoicemailGreeting',
        200,
        await mock.call('GET', `/voiceCalls/voicemailGreeting?toPhoneNumber=${encodeURIComponent('+18445791189')}`),
      ),
    ).toEqual({
      greetingUrl: 'https://recordings.example.com/greetings/sales.wav',
    });
    expect(
      failure(
        await mock.call('GET', '/voiceCalls/voicemailGreeting?toPhoneNumber=%2B14152988103'),
        404,
        'RESOURCE_NOT_FOUND',
      ).errors[0],
    ).toContain('has no voicemail greeting');
    expect(
      failure(
        await mock.call('GET', '/voiceCalls/voicemailGreeting?toPhoneNumber=%2B10000000000'),
        404,
        'RESOURCE_NOT_FOUND',
      ).errors[0],
    ).toContain('No phone channel');
    invalid(await mock.call('GET', '/voiceCalls/voicemailGreeting'), 'toPhoneNumber');
  });
});

describe(covers('getDefaultOutboundPhoneNumber'), () => {
  it("answers the rep's default outbound number by the rep's external id, and 404 or 400 otherwise", async () => {
    mock = await startMock();
    const arn = encodeURIComponent(AGENT.ada);
    expect(
      success(
        'getDefaultOutboundPhoneNumber',
        200,
        await mock.call('GET', `/voiceCalls/defaultOutboundPhoneNumber?externalRepId=${arn}`),
      ),
    ).toEqual({ phoneNumber: '+18005550100' });
    failure(
      await mock.call(
        'GET',
        `/voiceCalls/defaultOutboundPhoneNumber?externalRepId=${encodeURIComponent(`${ARN}/agent/nobody`)}`,
      ),
      404,
      'RESOURCE_NOT_FOUND',
    );
    invalid(await mock.call('GET', '/voiceCalls/defaultOutboundPhoneNumber'), 'externalRepId');
  });
});

describe(covers('getVoicemailDrop'), () => {
  it('answers the voicemail drop of the rep the call is with, 404 RESOURCE_NOT_FOUND without one, and 404 for an unknown call', async () => {
    mock = await startMock();
    await open('drop');
    failure(await mock.call('GET', '/voiceCalls/drop/voicemailDrop'), 404, 'RESOURCE_NOT_FOUND');
    await mock.patch('/voiceCalls/drop/omniFlow', { flowDevName: 'Support_Routing_Flow' }).expect(200); // routes to Ada
    expect(success('getVoicemailDrop', 200, await mock.call('GET', '/voiceCalls/drop/voicemailDrop'))).toEqual({
      recordingUrl: 'https://recordings.example.com/drops/ada.wav',
    });
    expect(
      success('getVoicemailDrop', 200, await mock.call('GET', `/voiceCalls/${callOf('drop').id}/voicemailDrop`)),
    ).toEqual({ recordingUrl: 'https://recordings.example.com/drops/ada.wav' });
    failure(await mock.call('GET', '/voiceCalls/nobody/voicemailDrop'), 404, 'CALL_NOT_FOUND');
  });
});

describe('reserved paths after /voiceCalls/ never name a call', () => {
  it("the reserved words are exactly the words of the spec's own /voiceCalls/ endpoints, and none can be a vendorCallKey", async () => {
    expect(new SpecRouter(specOperations()).reservedWords.sort()).toEqual([...RESERVED_PATH_WORDS].sort());
    mock = await startMock();
    for (const word of RESERVED_PATH_WORDS) invalid(await mock.post('/voiceCalls', inboundCall(word)), 'vendorCallKey');
    expect(store().counts().calls).toBe(0);
  });

  const bodies = { POST: {}, PATCH: { isActiveCall: true }, PUT: {}, DELETE: undefined, GET: undefined } as const;

  it.each([
    ['PATCH', '/voiceCalls/messages', 405, 'POST'],
    ['GET', '/voiceCalls/messages', 405, 'POST'],
    ['POST', '/voiceCalls/route/abc', 405, 'PATCH'],
    ['PATCH', '/voiceCalls/route', 404, undefined],
    ['POST', '/voiceCalls/route/abc/omniFlow', 404, undefined],
    ['PATCH', '/voiceCalls/reserveRoutableNumber', 405, 'POST'],
    ['POST', '/voiceCalls/voicemailGreeting', 405, 'GET'],
    ['PATCH', '/voiceCalls/defaultOutboundPhoneNumber', 405, 'GET'],
    ['POST', '/voiceCalls/defaultOutboundPhoneNumber/messages', 404, undefined],
    ['PATCH', '/voiceCalls/voicemailGreeting/omniFlow', 404, undefined],
  ] as const)('%s %s answers %i and creates nothing', async (method, path, status, allow) => {
    mock = await startMock();
    const res = await mock.call(method, path, bodies[method]);
    const body = failure(res, status, status === 405 ? 'METHOD_NOT_ALLOWED' : 'ROUTE_NOT_FOUND');
    if (allow !== undefined) {
      expect(res.headers.allow).toBe(allow);
      expect(body.errors[0]).toContain(`Use ${allow}.`);
    } else {
      expect(body.errors[0]).toMatch(/is reserved by the API, so it never names a call. Its endpoints: /);
    }
    expect(store().counts().calls).toBe(0);
    expect(mock.server.journal.list(tenant()).entries.at(-1)?.operation ?? null).toBeNull();
  });
});

describe(`${covers('routeVoiceCall')} / ${covers('routeVoiceCallPatch')}`, () => {
  it.each(['POST', 'PATCH'])(
    '%s answers 200 {status: "Success"} and creates a pending routing to the target',
    async (method) => {
      mock = await startMock({}, UNIFIED);
      await openUnified('r');
      const res = await mock.call(method, '/voiceCalls/r/routeVoiceCall', {
        routingTarget: '005SM0000000004YAA',
        fallbackQueue: '00GSM00000000062AA',
      });
      expect(success('routeVoiceCall', 200, res)).toEqual({ status: 'Success' });
      expect(pendingOf('r')).toMatchObject({
        source: 'routeVoiceCall',
        repId: '005SM0000000004YAA',
        agent: AGENT.katherine,
      });
      expect(callOf('r').lastRouting).toMatchObject({ repId: '005SM0000000004YAA' });
    },
  );

  it('routes to a queue id and replaces the previous pending routing', async () => {
    mock = await startMock({}, UNIFIED);
    await openUnified('r');
    await mock.post('/voiceCalls/r/routeVoiceCall', { routingTarget: '005SM0000000004YAA' }).expect(200);
    const first = pendingOf('r')!;
    success(
      'routeVoiceCall',
      200,
      await mock.patch('/voiceCalls/r/routeVoiceCall', { routingTarget: '00GSM00000000062AA' }),
    );
    const second = pendingOf('r')!;
    expect(second.id).not.toBe(first.id);
    expect(second).toMatchObject({ queueId: '00GSM00000000062AA', queue: QUEUE.general, repId: null });
    expect(store().counts().routings).toBe(1);
  });

  it.each(['POST', 'PATCH'])('%s answers a missing routingTarget with 400 naming it', async (method) => {
    mock = await startMock({}, UNIFIED);
    await openUnified('r');
    invalid(
      await mock.call(method, '/voiceCalls/r/routeVoiceCall', { fallbackQueue: '00GSM00000000062AA' }),
      'routingTarget',
    );
    expect(pendingOf('r')).toBeUndefined();
  });

  it('answers a routingTarget the org does not know with 400 NO_ROUTE', async () => {
    mock = await startMock({}, UNIFIED);
    await openUnified('r');
    const body = failure(
      await mock.post('/voiceCalls/r/routeVoiceCall', { routingTarget: '00GSM0000000099ZZZ' }),
      400,
      'NO_ROUTE',
    );
    expect(body.errors[0]).toContain('00GSM0000000099ZZZ');
  });

  it.each(['POST', 'PATCH'])('%s answers an unknown CALL_ID with 404 CALL_NOT_FOUND', async (method) => {
    mock = await startMock();
    failure(
      await mock.call(method, '/voiceCalls/ghost/routeVoiceCall', { routingTarget: '005SM0000000004YAA' }),
      404,
      'CALL_NOT_FOUND',
    );
  });
});

describe(covers('requestCallback'), () => {
  it('answers 201 {recordId: 0SR id} and stores the ContactRequest', async () => {
    mock = await startMock({}, UNIFIED);
    await openUnified('cb');
    const res = await mock.post('/voiceCalls/cb/requestCallback', { callbackNumber: '+18445791189' });
    const body = success('requestCallback', 201, res) as { recordId: string };
    expect(body.recordId).toMatch(/^0SR[0-9A-Za-z]{15}$/);
    expect(store().contactRequestsOf(tenant(), callOf('cb').id)).toEqual([
      expect.objectContaining({
        id: body.recordId,
        callbackNumber: '+18445791189',
        status: 'New',
        isPreviewCallback: false,
        scheduledRoutingDateTime: null,
      }),
    ]);
  });

  it("takes a preview or scheduled callback (Summer '26) and the sample's vendorCallKey, without warnings", async () => {
    mock = await startMock({}, UNIFIED);
    await openUnified('cb');
    const res = await mock.post('/voiceCalls/cb/requestCallback', {
      callbackNumber: '+15551234567',
      vendorCallKey: 'cb',
      isPreviewCallback: true,
      scheduledRoutingDateTime: '2026-06-01T15:00:00Z',
    });
    success('requestCallback', 201, res);
    expect(res.headers['scv-mock-warnings']).toBeUndefined();
    expect(store().contactRequestsOf(tenant(), callOf('cb').id)[0]).toMatchObject({
      isPreviewCallback: true,
      scheduledRoutingDateTime: '2026-06-01T15:00:00Z',
      vendorCallKey: 'cb',
    });
    invalid(
      await mock.post('/voiceCalls/cb/requestCallback', { callbackNumber: '+15551234567', isPreviewCallback: 'yes' }),
      'isPreviewCallback',
    );
    invalid(
      await mock.post('/voiceCalls/cb/requestCallback', {
        callbackNumber: '+15551234567',
        scheduledRoutingDateTime: 'tomorrow',
      }),
      'scheduledRoutingDateTime',
    );
  });

  it('answers an empty callbackNumber with 400 naming it', async () => {
    mock = await startMock({}, UNIFIED);
    await openUnified('cb');
    const body = invalid(await mock.post('/voiceCalls/cb/requestCallback', { callbackNumber: '' }), 'callbackNumber');
    expect(body.errors.join(' ')).toContain('must not be empty');
    expect(store().counts().contactRequests).toBe(0);
  });

  it('answers a numeric callbackNumber with 400 naming it', async () => {
    mock = await startMock({}, UNIFIED);
    await openUnified('cb');
    invalid(await mock.post('/voiceCalls/cb/requestCallback', { callbackNumber: 18445791189 }), 'callbackNumber');
  });

  it('answers an unknown CALL_ID with 404 CALL_NOT_FOUND', async () => {
    mock = await startMock();
    failure(
      await mock.post('/voiceCalls/ghost/requestCallback', { callbackNumber: '+18445791189' }),
      404,
      'CALL_NOT_FOUND',
    );
  });
});

describe(covers('sendRealtimeConversationEvents'), () => {
  const body = {
    service: 'AmazonConnectContactLens',
    persist: false,
    events: [
      { type: 'IntelligenceSignal__Category', value: 'CustomerAngry', startTime: IN_CALL },
      sentiment(IN_CALL + 1000),
    ],
  };

  it('answers 202 {status: "202 Accepted"} and stores the events', async () => {
    mock = await startMock();
    await open('ev');
    expect(
      success(
        'sendRealtimeConversationEvents',
        202,
        await mock.post('/voiceCalls/ev/realtimeConversationEvents', body),
      ),
    ).toEqual({ status: '202 Accepted' });
    expect(store().eventsOf(tenant(), callOf('ev').conversationId)).toEqual([
      expect.objectContaining({
        kind: 'realtime',
        service: 'AmazonConnectContactLens',
        persist: false,
        events: body.events,
      }),
    ]);
  });

  it('answers an unknown event type with 400 naming events[0].type', async () => {
    mock = await startMock();
    await open('ev');
    invalid(
      await mock.post('/voiceCalls/ev/realtimeConversationEvents', {
        service: 'X',
        events: [{ type: 'Bogus', value: 'x', startTime: IN_CALL }],
      }),
      'events[0].type',
    );
    expect(store().counts().events).toBe(0);
  });

  it('answers an empty events array with 400 naming events', async () => {
    mock = await startMock();
    await open('ev');
    invalid(await mock.post('/voiceCalls/ev/realtimeConversationEvents', { service: 'X', events: [] }), 'events');
  });

  it('answers an unknown vendorCallKey with 404 CALL_NOT_FOUND', async () => {
    mock = await startMock();
    failure(await mock.post('/voiceCalls/nobody/realtimeConversationEvents', body), 404, 'CALL_NOT_FOUND');
  });
});

describe(covers('storePostConversationEvents'), () => {
  const body = { service: 'AmazonConnectContactLens', events: [postCallEvent(IN_CALL), postCallEvent(IN_CALL + 5000)] };

  it('answers 202 {status: "202 Accepted"} after the call ended, and stores the events', async () => {
    mock = await startMock();
    await open('pc');
    await mock.patch('/voiceCalls/pc', {}).expect(200);
    expect(
      success('storePostConversationEvents', 202, await mock.post('/voiceCalls/pc/postConversationEvents', body)),
    ).toEqual({ status: '202 Accepted' });
    expect(store().eventsOf(tenant(), callOf('pc').conversationId)).toEqual([
      expect.objectContaining({ kind: 'postCall', events: body.events }),
    ]);
  });

  it('answers an event without participant with 400 naming events[0].participant', async () => {
    mock = await startMock();
    await open('pc');
    await mock.patch('/voiceCalls/pc', {}).expect(200);
    const event: Record<string, unknown> = postCallEvent(IN_CALL);
    delete event.participant;
    invalid(
      await mock.post('/voiceCalls/pc/postConversationEvents', { service: 'X', events: [event] }),
      'events[0].participant',
    );
  });

  it('answers a missing service with 400 naming it', async () => {
    mock = await startMock();
    await open('pc');
    await mock.patch('/voiceCalls/pc', {}).expect(200);
    invalid(await mock.post('/voiceCalls/pc/postConversationEvents', { events: body.events }), 'service');
  });

  it('answers an unknown vendorCallKey with 404 CALL_NOT_FOUND', async () => {
    mock = await startMock();
    failure(await mock.post('/voiceCalls/nobody/postConversationEvents', body), 404, 'CALL_NOT_FOUND');
  });
});

describe(`${covers('rerouteVoiceCall')} / ${covers('rerouteVoiceCallPatch')}`, () => {
  it.each(['POST', 'PATCH'])(
    '%s answers 200 {status: "Success"} and routes again, to a different rep than the current one',
    async (method) => {
      mock = await startMock({}, UNIFIED);
      await openUnified('rr');
      await mock.post('/voiceCalls/rr/routeVoiceCall', { routingTarget: '005SM0000000004YAA' }).expect(200);
      const before = pendingOf('rr')!;
      expect(success('rerouteVoiceCall', 200, await mock.call(method, '/voiceCalls/rr/reroute'))).toEqual({
        status: 'Success',
      });
      const after = pendingOf('rr')!;
      expect(after.id).not.toBe(before.id);
      expect(after).toMatchObject({ source: 'reroute', repId: '005SM0000000005YAA', agent: AGENT.dorothy });
      expect(callOf('rr')).toMatchObject({ ownerId: '005SM0000000005YAA', agent: 'dorothy.vaughan@scv-mock.example' });
      // Again: back to the first rep (the contact center has two with routing-map ids).
      await mock.call(method, '/voiceCalls/rr/reroute').expect(200);
      expect(pendingOf('rr')).toMatchObject({ repId: '005SM0000000004YAA', agent: AGENT.katherine });
    },
  );

  it('a call routed to a queue alone is rerouted to the same queue (Omni-Channel picks its next rep)', async () => {
    mock = await startMock({}, UNIFIED);
    await openUnified('rq');
    await mock.post('/voiceCalls/rq/routeVoiceCall', { routingTarget: '00GSM00000000062AA' }).expect(200);
    await mock.patch('/voiceCalls/rq/reroute').expect(200);
    expect(pendingOf('rq')).toMatchObject({ source: 'reroute', queueId: '00GSM00000000062AA', repId: null });
  });

  it.each(['POST', 'PATCH'])('%s answers a body with parameters with 400 that says it takes none', async (method) => {
    mock = await startMock({}, UNIFIED);
    await openUnified('rr');
    await mock.post('/voiceCalls/rr/routeVoiceCall', { routingTarget: '005SM0000000004YAA' }).expect(200);
    const body = failure(
      await mock.call(method, '/voiceCalls/rr/reroute', { routingTarget: '005SM0000000005YAA' }),
      400,
      'INVALID_REQUEST',
    );
    expect(body.details).toContainEqual({ field: '(body)', problem: expect.stringContaining('takes no parameters') });
    expect(body.errors[0]).toMatch(/^The body takes no parameters/);
    expect(pendingOf('rr')!.source).toBe('routeVoiceCall');
  });

  it.each(['POST', 'PATCH'])('%s answers an unknown CALL_ID with 404 CALL_NOT_FOUND', async (method) => {
    mock = await startMock();
    failure(await mock.call(method, '/voiceCalls/ghost/reroute'), 404, 'CALL_NOT_FOUND');
  });
});

describe(covers('clearRouting'), () => {
  it('answers 200 {success: true} and deletes the pending routing', async () => {
    mock = await startMock();
    await open('cr');
    await mock.patch('/voiceCalls/cr/omniFlow', { dialedNumber: '999999999' }).expect(200);
    expect(pendingOf('cr')).toBeDefined();
    expect(success('clearRouting', 200, await mock.patch('/voiceCalls/cr/clearRouting'))).toEqual({ success: true });
    expect(pendingOf('cr')).toBeUndefined();
  });

  it('answers a body with parameters with 400 that says it takes none, and keeps the routing', async () => {
    mock = await startMock();
    await open('cr');
    await mock.patch('/voiceCalls/cr/omniFlow', { dialedNumber: '999999999' }).expect(200);
    const body = failure(await mock.patch('/voiceCalls/cr/clearRouting', { x: 1 }), 400, 'INVALID_REQUEST');
    expect(body.details).toContainEqual({ field: '(body)', problem: expect.stringContaining('takes no parameters') });
    expect(pendingOf('cr')).toBeDefined();
  });

  it('answers an unknown CALL_ID with 404 CALL_NOT_FOUND', async () => {
    mock = await startMock();
    failure(await mock.patch('/voiceCalls/ghost/clearRouting'), 404, 'CALL_NOT_FOUND');
  });
});

describe('coverage', () => {
  it('covers every telephony operation of openapi.yaml', () => {
    const spec = telephonySurface(loadSpecDocument());
    const ids = Object.values(spec.paths ?? {}).flatMap((item) =>
      (['get', 'post', 'put', 'patch', 'delete'] as const).flatMap((m) =>
        item?.[m]?.operationId === undefined ? [] : [item[m].operationId],
      ),
    );
    expect(ids.sort()).toEqual(Object.keys(OPERATION_OF_OPERATION_ID).sort());
    expect([...COVERED].sort()).toEqual(ids.sort());
  });
});

// ----------------------------------------------------------------------------------- call semantics

describe('isActiveCall', () => {
  it('true keeps the conversation open and the pending routing in place', async () => {
    mock = await startMock();
    await open('a');
    await mock.patch('/voiceCalls/a/omniFlow', { dialedNumber: '999999999' }).expect(200);
    await mock.patch('/voiceCalls/a', { isActiveCall: true, acceptTime: '2022-08-02T17:32:35Z' }).expect(200);
    expect(conversationOf('a').status).toBe('open');
    expect(pendingOf('a')).toBeDefined();
    expect(callOf('a')).toMatchObject({ endedBy: null, disposition: 'in-progress' });
  });

  it.each([
    ['left out', {}],
    ['false', { isActiveCall: false }],
  ])('%s closes the conversation, clears the pending routing and completes the call', async (_label, extra) => {
    mock = await startMock();
    await open('a');
    await mock.patch('/voiceCalls/a/omniFlow', { dialedNumber: '999999999' }).expect(200);
    await mock.patch('/voiceCalls/a', { endTime: '2022-08-02T17:33:00Z', ...extra }).expect(200);
    expect(conversationOf('a')).toMatchObject({ status: 'closed', endTime: '2022-08-02T17:33:00Z' });
    expect(conversationOf('a').closedAt).not.toBeNull();
    expect(pendingOf('a')).toBeUndefined();
    expect(store().counts().routings).toBe(0);
    expect(callOf('a')).toMatchObject({ endedBy: 'update', disposition: 'completed' });
  });

  it('ending the call resets the hold counters it held to 0, as documented; the values the ending update sends stand (as the post-call sync sends them)', async () => {
    mock = await startMock();
    await open('holds');
    await mock
      .patch('/voiceCalls/holds', {
        isActiveCall: true,
        totalHoldDuration: 20,
        numberOfHolds: 2,
        recordingLocation: 'https://r.example/h.wav',
      })
      .expect(200);
    expect(callOf('holds')).toMatchObject({ totalHoldDuration: 20, numberOfHolds: 2 });
    await mock.patch('/voiceCalls/holds', { endTime: '2022-08-02T17:40:00Z' }).expect(200);
    expect(callOf('holds')).toMatchObject({ totalHoldDuration: 0, numberOfHolds: 0, endedBy: 'update' });

    await open('synced');
    await mock
      .patch('/voiceCalls/synced', {
        totalHoldDuration: 30,
        numberOfHolds: 3,
        agentInteractionDuration: 100,
        recordingLocation: 'https://r.example/s.wav',
      })
      .expect(200);
    expect(callOf('synced')).toMatchObject({
      totalHoldDuration: 30,
      numberOfHolds: 3,
      agentInteractionDuration: 100,
      endedBy: 'update',
    });
    expect(store().recordingOf(tenant(), callOf('synced').id)?.durationInSeconds).toBe(130);
  });

  it('on a transfer chain: ending the parent leg keeps the conversation open; ending the last leg closes it and completes the parent', async () => {
    mock = await startMock();
    await open('root');
    await transfer('leg-2', 'root');
    await mock.patch('/voiceCalls/leg-2/omniFlow', { flowDevName: 'Support_Routing_Flow' }).expect(200);

    await mock.patch('/voiceCalls/root', { endTime: '2022-08-02T17:33:00Z' }).expect(200);
    expect(callOf('root')).toMatchObject({ endedBy: 'update', disposition: 'transferred' });
    expect(conversationOf('root').status).toBe('open');
    expect(pendingOf('leg-2')).toBeDefined();
    // The conversation still takes transcripts by the first leg's key.
    await mock.post('/voiceCalls/root/messages', message('after-parent-ended')).expect(202);

    await mock.patch('/voiceCalls/leg-2', { endTime: '2022-08-02T17:35:00Z' }).expect(200);
    expect(conversationOf('root').status).toBe('closed');
    expect(callOf('leg-2')).toMatchObject({ endedBy: 'update', disposition: 'completed' });
    expect(callOf('root').disposition).toBe('completed');
    expect(pendingOf('leg-2')).toBeUndefined();
  });

  it('on a three-leg chain only the last leg closes the conversation', async () => {
    mock = await startMock();
    await open('l1');
    await transfer('l2', 'l1');
    await transfer('l3', 'l2');
    await mock.patch('/voiceCalls/l1', {}).expect(200);
    await mock.patch('/voiceCalls/l2', {}).expect(200);
    expect(conversationOf('l1').status).toBe('open');
    expect([callOf('l1').disposition, callOf('l2').disposition]).toEqual(['transferred', 'transferred']);
    await mock.patch('/voiceCalls/l3', {}).expect(200);
    expect(conversationOf('l1').status).toBe('closed');
    expect(['l1', 'l2', 'l3'].map((k) => callOf(k).disposition)).toEqual(['completed', 'completed', 'completed']);
  });
});

describe('{CALL_ID} resolution', () => {
  it('the 18-character Salesforce id, its 15-character prefix and the vendorCallKey name the same call', async () => {
    mock = await startMock();
    const created = await open('by-id');
    const id18 = created.body.voiceCallId as string;
    expect(id18).toMatch(SALESFORCE_18);
    const id15 = id18.slice(0, 15);
    await mock.patch(`/voiceCalls/${id18}`, { isActiveCall: true, agent: 'first' }).expect(200);
    await mock.patch(`/voiceCalls/${id15}`, { isActiveCall: true, numberOfHolds: 3 }).expect(200);
    await mock.patch('/voiceCalls/by-id', { isActiveCall: true, queue: 'Support_Queue' }).expect(200);
    expect(store().counts().calls).toBe(1);
    expect(callOf('by-id')).toMatchObject({
      id: id18,
      agent: 'first',
      numberOfHolds: 3,
      queue: 'Support_Queue',
      updateCount: 3,
    });

    // The routing operations resolve it too.
    const routed = await mock.patch(`/voiceCalls/${id15}/omniFlow`, { dialedNumber: '999999999' });
    expect(success('executeOmniFlow', 200, routed)).toEqual({ agent: null, queue: QUEUE.support });
    expect(pendingOf('by-id')!.voiceCallId).toBe(id18);
    expect(success('clearRouting', 200, await mock.patch(`/voiceCalls/${id18}/clearRouting`))).toEqual({
      success: true,
    });
    expect(pendingOf('by-id')).toBeUndefined();
  });

  it('every Salesforce id a request carries may come in 15 or 18 characters: parentVoiceCallId, fallbackQueue, routingTarget, the lookups', async () => {
    mock = await startMock();
    const parent18 = (await open('p15')).body.voiceCallId as string;
    // A transfer leg by the parent's 15-character id, to a queue by its 15-character id.
    await transfer('p15-leg', parent18.slice(0, 15)).expect(201);
    expect(callOf('p15-leg').previousCallId).toBe(parent18);
    await mock.patch('/voiceCalls/p15-leg/omniFlow', { fallbackQueue: '00GSM0000000002' }).expect(200);
    expect(pendingOf('p15-leg')).toMatchObject({ queueId: '00GSM00000000022AA' });
    // Routing targets (rep, queue, flow) by 15 characters, on the Unified Routing contact center.
    const unified = await mock.as('UnifiedContactCenter');
    await unified
      .post('/voiceCalls', inboundCall('u15', { callCenterApiName: 'UnifiedContactCenter', to: '+14155550100' }))
      .expect(201);
    for (const target of ['005SM0000000004', '00GSM0000000006', '300SM0000000006']) {
      await unified.post('/voiceCalls/u15/routeVoiceCall', { routingTarget: target }).expect(200);
    }
    // Ids in answers are 18 characters, as the real service's other APIs return them.
    expect(callOf('p15').id).toMatch(SALESFORCE_18);
    await mock.patch('/voiceCalls/p15/omniFlow', { flowDevName: 'Support_Routing_Flow' }).expect(200);
    await mock.call('GET', `/voiceCalls/${parent18.slice(0, 15)}/voicemailDrop`).expect(200);
  });

  it('a vendorCallKey shared by two legs resolves to the latest leg for PATCH /voiceCalls/{CALL_ID}', async () => {
    mock = await startMock();
    const first = await open('shared');
    const second = await transfer('shared', 'shared');
    expect(second.body.voiceCallId).not.toBe(first.body.voiceCallId);
    await mock.patch('/voiceCalls/shared', { isActiveCall: true, agent: 'grace.hopper@scv-mock.example' }).expect(200);
    const legs = store().legsByVendorKey(tenant(), 'shared');
    const byId = (id: string) => legs.find((leg) => leg.id === id)!;
    expect(legs).toHaveLength(2);
    expect(byId(second.body.voiceCallId as string)).toMatchObject({
      agent: 'grace.hopper@scv-mock.example',
      updateCount: 1,
    });
    expect(byId(first.body.voiceCallId as string)).toMatchObject({ agent: null, updateCount: 0 });

    // Ending by the shared key ends the latest leg, which is the last of the chain: the conversation closes.
    await mock.patch('/voiceCalls/shared', {}).expect(200);
    expect(store().getConversation(tenant(), byId(first.body.voiceCallId as string).conversationId)!.status).toBe(
      'closed',
    );
  });

  it('a well-formed VoiceCall id that names no call is a 404 on the routing operations', async () => {
    mock = await startMock();
    await open('k');
    const unknownId = '0LQSM0000000000';
    failure(
      await mock.patch(`/voiceCalls/${unknownId}/omniFlow`, { dialedNumber: '999999999' }),
      404,
      'CALL_NOT_FOUND',
    );
    failure(await mock.patch(`/voiceCalls/${unknownId}/clearRouting`), 404, 'CALL_NOT_FOUND');
  });
});

describe('raw requests', () => {
  it("accepts the spec's own create example verbatim through raw supertest", async () => {
    mock = await startMock();
    const res = await request(mock.server.app)
      .post(`${API}/voiceCalls`)
      .set(AUTH)
      .set('Content-Type', 'application/json')
      .send(
        JSON.stringify({
          callCenterApiName: 'MyContactCenter',
          vendorCallKey: '5324881f-1e84-4367-8930-f69a74b30ca6',
          to: '+14152988103',
          from: '+18669483147',
          initiationMethod: 'Inbound',
          startTime: '2019-07-02T17:32:28Z',
          callSubtype: 'PSTN',
          participants: [{ participantKey: '4081456688', type: 'END_USER' }],
          callAttributes: '{"MyField__c": "abc"}',
        }),
      );
    expect(success('createVoiceCall', 201, res)).toMatchObject({ errors: [] });
    expect(res.headers['scv-mock-warnings']).toBeUndefined();
  });
});
