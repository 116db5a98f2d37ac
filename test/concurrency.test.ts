/**
 * Many requests at once on one call, and across tenants, lose nothing: every message is stored exactly
 * once, a contested messageId wins once, the final state is consistent, and it all survives a restart.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCall } from '../mock-server/domain/call-resolution.ts';
import { startMockServer, type RunningMockServer } from '../mock-server/index.ts';
import { tenantOf } from '../mock-server/tenancy/tenant.ts';
import { inboundCall, message } from './support/mock-harness.ts';

async function send(
  mock: RunningMockServer,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<number> {
  const res = await fetch(`${mock.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('concurrent requests', () => {
  it('on one call: 300 transcripts and 30 updates in parallel, each message stored once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scv-conc-')), 'store.json');
    let mock = await startMockServer({ dataFile: file });
    const token = await mock.token();
    expect(await send(mock, token, 'POST', '/voiceCalls', inboundCall('busy'))).toBe(201);
    const statuses = await Promise.all([
      ...Array.from({ length: 300 }, (_, i) =>
        send(mock, token, 'POST', '/voiceCalls/busy/messages', message(`m${i}`)),
      ),
      ...Array.from({ length: 30 }, (_, i) =>
        send(mock, token, 'PATCH', '/voiceCalls/busy', { isActiveCall: true, numberOfHolds: i }),
      ),
    ]);
    expect(statuses.filter((s) => s !== 202 && s !== 200)).toEqual([]);
    // One messageId sent 40 times at once: exactly one is stored, the rest are refused.
    const contested = await Promise.all(
      Array.from({ length: 40 }, () => send(mock, token, 'POST', '/voiceCalls/busy/messages', message('contested'))),
    );
    expect(contested.filter((s) => s === 202)).toHaveLength(1);
    expect(contested.filter((s) => s === 409)).toHaveLength(39);

    const check = (server: RunningMockServer) => {
      const tenant = tenantOf('00DSM0000000MCK2A2', 'MyContactCenter').key;
      const call = findCall(server.server.store, tenant, 'busy')!;
      const entries = server.server.store.transcriptsOf(tenant, call.conversationId);
      expect(entries).toHaveLength(301);
      expect(new Set(entries.map((e) => e.messageId)).size).toBe(301);
      expect(call.updateCount).toBe(30);
      expect(call.endedBy).toBeNull();
    };
    check(mock);
    await mock.close();
    mock = await startMockServer({ dataFile: file });
    check(mock);
    await mock.close();
  });

  it('across tenants: the same keys in 12 tenants at once stay apart', async () => {
    const mock = await startMockServer();
    try {
      const orgs = Array.from({ length: 12 }, (_, i) => `00D0000000001${String(i).padStart(2, '0')}`);
      const tokens = await Promise.all(orgs.map((orgId) => mock.token({ orgId })));
      await Promise.all(tokens.map((t) => send(mock, t, 'POST', '/voiceCalls', inboundCall('same'))));
      const results = await Promise.all(
        tokens.flatMap((t) =>
          Array.from({ length: 20 }, (_, i) => send(mock, t, 'POST', '/voiceCalls/same/messages', message(`m${i}`))),
        ),
      );
      expect(results.every((s) => s === 202)).toBe(true);
      for (const orgId of orgs) {
        const tenant = tenantOf(orgId, 'MyContactCenter').key;
        const call = findCall(mock.server.store, tenant, 'same')!;
        expect(mock.server.store.transcriptsOf(tenant, call.conversationId)).toHaveLength(20);
      }
      expect(mock.server.store.counts()).toMatchObject({ calls: 12, transcripts: 240 });
    } finally {
      await mock.close();
    }
  });
});
