import { afterEach, describe, expect, it } from 'vitest';
import { errorResponseSchema } from '../contracts/wire-schemas.ts';
import { findCall } from '../mock-server/domain/call-resolution.ts';
import { loadScript, startMock, type Harness } from './support/mock-harness.ts';

const seed = loadScript('voicemail-seed');
const KEY = '5324881f-1e84-4367-8930-f69a74b30fff';

let mock: Harness;
afterEach(async () => mock.server.close());

describe("the seed page's voicemail sequence, verbatim", () => {
  it('runs all five steps and ends with a completed call routed to the voicemail queue', async () => {
    mock = await startMock();
    const statuses: number[] = [];
    for (const step of seed.steps) {
      const res = await mock.call(step.method, step.path, step.body);
      statuses.push(res.status);
      expect(res.status, `${step.title}: ${JSON.stringify(res.body)}`).toBe(step.expect.status);
      expect(res.headers['scv-mock-warnings'], step.title).toBeUndefined();
    }
    expect(statuses).toEqual([201, 200, 202, 200, 200]);

    const { store } = mock.server;
    const defaultTenant = mock.tenant;
    const call = findCall(store, defaultTenant.key, KEY)!;
    expect(call).toMatchObject({
      callOrigin: 'Voicemail',
      disposition: 'completed',
      endedBy: 'update',
      endTime: '2022-08-02T17:33:29Z',
    });
    expect(call.id).toMatch(/^0LQ[0-9A-Za-z]{15}$/);
    expect(store.getConversation(defaultTenant.key, call.conversationId)?.status).toBe('closed');
    const transcripts = store.transcriptsOf(defaultTenant.key, call.conversationId);
    expect(transcripts).toHaveLength(1);
    expect(transcripts[0]).toMatchObject({ messageId: 'b6f1c7d2-7d7e-4a0e-9d55-3f3e2f8c1a01', senderType: 'END_USER' });
    expect(store.recordingOf(defaultTenant.key, call.id)).toMatchObject({
      recordingLocation: `https://recordings.example.com/${KEY}.wav`,
      durationInSeconds: 61,
    });
    // The routing went to the voicemail queue; the final update cleared the pending routing.
    expect(call.lastRouting).toMatchObject({
      flowDevName: 'Voicemail_Routing_Flow',
      queue: 'arn:aws:connect:us-east-1:000000000000:instance/scv-mock/queue/voicemail',
    });
    expect(store.pendingRoutingOf(defaultTenant.key, call.id)).toBeUndefined();
  });

  it("answers omniFlow with the voicemail queue's external id and no agent", async () => {
    mock = await startMock();
    const [create, update, transcript, omniFlow] = seed.steps;
    for (const step of [create!, update!, transcript!])
      await mock.call(step.method, step.path, step.body).expect(step.expect.status);
    const res = await mock.call(omniFlow!.method, omniFlow!.path, omniFlow!.body).expect(200);
    expect(res.body).toEqual({
      agent: null,
      queue: 'arn:aws:connect:us-east-1:000000000000:instance/scv-mock/queue/voicemail',
    });
  });

  it('routes the same call as a live call when callOrigin is not Voicemail, then refuses tagging it afterwards', async () => {
    mock = await startMock();
    const [create, , transcript, omniFlow] = seed.steps;
    const liveCreate = { ...(create!.body as Record<string, unknown>) };
    delete liveCreate.callOrigin;
    await mock.post('/voiceCalls', liveCreate).expect(201);
    await mock.call(transcript!.method, transcript!.path, transcript!.body).expect(202);
    const routed = await mock.call(omniFlow!.method, omniFlow!.path, omniFlow!.body).expect(200);
    expect(routed.body.queue).toBe('arn:aws:connect:us-east-1:000000000000:instance/scv-mock/queue/support');

    const late = await mock.patch(`/voiceCalls/${KEY}`, { isActiveCall: true, callOrigin: 'Voicemail' }).expect(409);
    expect(errorResponseSchema.parse(late.body)).toMatchObject({
      errorCode: 'SEQUENCE_VIOLATION',
      rule: 'VOICEMAIL_ORIGIN_AFTER_FLOW',
      callState: { flowExecuted: true, callOrigin: null, routing: 'pending' },
    });
    expect(late.body.errors[0]).toContain('before you call omniFlow');
  });
});
