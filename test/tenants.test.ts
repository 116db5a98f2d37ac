/**
 * Tenants: state is partitioned by (org id, contact center) from the verified token. Test suites that
 * choose their own org ids share one server without seeing each other, even with the same
 * vendorCallKeys, and even when their requests interleave.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { errorResponseSchema } from '../contracts/wire-schemas.ts';
import { tenantOf } from '../mock-server/tenancy/tenant.ts';
import { findCall } from '../mock-server/domain/call-resolution.ts';
import { inboundCall, loadScript, message, startMock, type Client, type Harness } from './support/mock-harness.ts';

const seed = loadScript('voicemail-seed');
const KEY = '5324881f-1e84-4367-8930-f69a74b30fff';
const ORGS = [
  '00D000000000001',
  '00D000000000002',
  '00D000000000003',
  '00D000000000004',
  '00D000000000005',
  '00D000000000006',
];

let mock: Harness;
afterEach(async () => mock.server.close());

describe('tenants', () => {
  it('run the seed sequence with the same vendorCallKey, interleaved and concurrently, without interfering', async () => {
    mock = await startMock();
    const clients = await Promise.all(ORGS.map((org) => mock.as('MyContactCenter', org)));
    // Step by step, all tenants at once: every request of a step is in flight together.
    for (const step of seed.steps) {
      const results = await Promise.all(clients.map((client) => client.call(step.method, step.path, step.body)));
      for (const res of results)
        expect(res.status, `${step.title}: ${JSON.stringify(res.body)}`).toBe(step.expect.status);
    }
    const ids = new Set<string>();
    for (const org of ORGS) {
      const tenant = tenantOf(org, 'MyContactCenter').key;
      const call = findCall(mock.server.store, tenant, KEY)!;
      expect(call, org).toMatchObject({ tenant, disposition: 'completed', callOrigin: 'Voicemail' });
      expect(mock.server.store.transcriptsOf(tenant, call.conversationId)).toHaveLength(1);
      ids.add(call.id);
    }
    expect(ids.size).toBe(ORGS.length);
    expect(mock.server.store.counts()).toMatchObject({
      calls: ORGS.length,
      transcripts: ORGS.length,
      recordings: ORGS.length,
    });
  });

  it('mixes whole sequences of different tenants in random order and still gives each its own result', async () => {
    mock = await startMock();
    const clients = await Promise.all(ORGS.map((org) => mock.as('MyContactCenter', org)));
    const run = async (client: Client, i: number) => {
      await client.post('/voiceCalls', inboundCall('shared-key')).expect(201);
      await client.patch('/voiceCalls/shared-key', { isActiveCall: true }).expect(200);
      for (let m = 0; m <= i; m++) await client.post('/voiceCalls/shared-key/messages', message(`m${m}`)).expect(202);
      // Tenants with an odd index end their call; the others keep it open.
      if (i % 2 === 1) await client.patch('/voiceCalls/shared-key', {}).expect(200);
    };
    await Promise.all(clients.map(run));
    ORGS.forEach((org, i) => {
      const tenant = tenantOf(org, 'MyContactCenter').key;
      const call = findCall(mock.server.store, tenant, 'shared-key')!;
      expect(mock.server.store.transcriptsOf(tenant, call.conversationId)).toHaveLength(i + 1);
      expect(mock.server.store.getConversation(tenant, call.conversationId)?.status).toBe(
        i % 2 === 1 ? 'closed' : 'open',
      );
    });
  });

  it("hide each other's calls: another org, or another contact center of the same org, gets 404", async () => {
    mock = await startMock();
    const created = await mock.post('/voiceCalls', inboundCall('mine')).expect(201);
    const otherOrg = await mock.as('MyContactCenter', '00D000000000009');
    const otherCenter = await mock.as('UnifiedContactCenter');
    for (const stranger of [otherOrg, otherCenter]) {
      for (const res of [
        await stranger.patch('/voiceCalls/mine/omniFlow', { dialedNumber: '999999999' }),
        await stranger.patch(`/voiceCalls/${created.body.voiceCallId as string}/clearRouting`),
        await stranger.post('/voiceCalls/mine/messages', message('m1')),
      ]) {
        expect(res.status).toBe(404);
        expect(errorResponseSchema.parse(res.body).errorCode).toBe('CALL_NOT_FOUND');
      }
      // An update from the stranger creates the stranger's own call; it does not touch ours.
      await stranger.patch('/voiceCalls/mine', { isActiveCall: true }).expect(200);
    }
    const ours = findCall(mock.server.store, mock.tenant.key, 'mine')!;
    expect(ours).toMatchObject({ updateCount: 0, createdVia: 'create' });
    expect(mock.server.store.counts().calls).toBe(3);
  });

  it('treat the 15- and 18-character forms of an org id as one tenant', async () => {
    mock = await startMock();
    const short = await mock.as('MyContactCenter', '00DSM0000000MCK');
    await short.post('/voiceCalls', inboundCall('either')).expect(201);
    await mock.patch('/voiceCalls/either', { isActiveCall: true }).expect(200);
    expect(mock.server.store.counts().calls).toBe(1);
  });
});
