/**
 * The retention policy of a long-running sandbox (issue 14): --retain-calls keeps a tenant's newest
 * conversations and evicts the oldest closed ones, --retain-for evicts closed conversations some time
 * after they closed; either way with everything they own, from memory and from disk, counted.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { callListSchema } from '../contracts/admin-schemas.ts';
import { parseStartOptions } from '../mock-server/cli/start-options.ts';
import { openStore } from '../mock-server/store/telephony-store.ts';
import { inboundCall, message, startMock, type Client, type Harness } from './support/mock-harness.ts';

let mock: Harness | undefined;
afterEach(async () => {
  await mock?.server.close();
  mock = undefined;
});

/** A call with a transcript message and a recording, closed; or left open. */
async function call(harness: Client, key: string, close = true): Promise<void> {
  await harness.post('/voiceCalls', inboundCall(key)).expect(201);
  await harness.patch(`/voiceCalls/${key}`, { isActiveCall: true }).expect(200);
  await harness.post(`/voiceCalls/${key}/messages`, message(`${key}-m`)).expect(202);
  if (close)
    await harness
      .patch(`/voiceCalls/${key}`, { recordingLocation: 'https://example.test/r.wav', totalRecordingDuration: 3 })
      .expect(200);
}

async function listed(harness: Client) {
  const res = await request(mock!.server.app).get('/__admin/calls').set('Authorization', `Bearer ${harness.token}`);
  return callListSchema.parse(res.body);
}

describe('--retain-calls', () => {
  it('evicts the oldest closed conversations past the limit with what they own; open ones stay', async () => {
    mock = await startMock({ retainCalls: 2 });
    await call(mock, 'open-1', false);
    for (const key of ['c1', 'c2', 'c3', 'c4']) await call(mock, key);
    const page = await listed(mock);
    expect(page.conversations.map((c) => c.firstVendorCallKey)).toEqual(['open-1', 'c4']);
    expect(page.evicted).toBe(3);
    const counts = mock.server.store.counts();
    expect(counts).toMatchObject({ conversations: 2, calls: 2, transcripts: 2, recordings: 1 });
    // An evicted call is gone, not half-gone: its key is free again.
    await mock.post('/voiceCalls', inboundCall('c1')).expect(201);
  });

  it('journals the write that closed a call under its key, even when that call is evicted at once', async () => {
    mock = await startMock({ retainCalls: 0 });
    await call(mock, 'brief');
    expect(mock.server.store.counts().conversations).toBe(0);
    const last = mock.server.journal.list(mock.tenant.key).entries.at(-1)!;
    expect(last).toMatchObject({ operation: 'updateVoiceCall', vendorCallKey: 'brief' });
    expect(last.voiceCallId).not.toBeNull();
  });

  it('leaves other tenants alone', async () => {
    mock = await startMock({ retainCalls: 1 });
    const other = await mock.as('MyContactCenter', '00D000000000061');
    for (const key of ['a', 'b']) await call(other, key);
    for (const key of ['x', 'y', 'z']) await call(mock, key);
    expect((await listed(other)).conversations).toHaveLength(1);
    expect((await listed(mock)).conversations.map((c) => c.firstVendorCallKey)).toEqual(['z']);
    expect((await listed(mock)).evicted).toBe(2);
  });

  it('evicts from disk too: a restart does not bring them back', async () => {
    const dataFile = join(mkdtempSync(join(tmpdir(), 'scv-retain-')), 'store.json');
    mock = await startMock({ retainCalls: 1, dataFile });
    for (const key of ['d1', 'd2', 'd3']) await call(mock, key);
    await mock.server.close();
    mock = undefined;
    const store = await openStore({ file: dataFile });
    expect(store.counts()).toMatchObject({ conversations: 1, calls: 1, transcripts: 1, recordings: 1 });
    await store.close();
  });
});

describe('--retain-for', () => {
  it('evicts closed conversations once they have been closed that long, by the mock clock', async () => {
    mock = await startMock({ retainForMs: 60 * 60 * 1000 });
    // The harness's tokens are valid for four hours from now, so the clock moves forward only.
    const clock = mock.server.clock;
    clock.apply({ freeze: true });
    await call(mock, 'early');
    clock.apply({ advance: '30m' });
    await call(mock, 'later');
    await call(mock, 'still-open', false);
    clock.apply({ advance: '45m' });
    await mock.server.retention.sweep();
    expect((await listed(mock)).conversations.map((c) => c.firstVendorCallKey)).toEqual(['later', 'still-open']);
    clock.apply({ advance: '2h' });
    await mock.server.retention.sweep();
    const page = await listed(mock);
    expect(page.conversations.map((c) => c.firstVendorCallKey)).toEqual(['still-open']);
    expect(page.evicted).toBe(2);
  });
});

describe('the flags', () => {
  it('take a count and a duration, and say what a bad one should be', () => {
    expect(parseStartOptions(['--retain-calls', '500', '--retain-for', '7d'], {})).toMatchObject({
      retainCalls: 500,
      retainForMs: 7 * 86_400_000,
    });
    expect(parseStartOptions(['--retain-for', '90s'], {}).retainForMs).toBe(90_000);
    expect(() => parseStartOptions(['--retain-for', 'a week'], {})).toThrow(/e\.g\. 90s, 30m, 12h or 7d/);
  });
});
