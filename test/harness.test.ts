/**
 * The in-process harness a TypeScript connector suite uses: start, point the connector at url with
 * token(), verify, reset, close; isolated tenants by org id.
 */
import { describe, expect, it } from 'vitest';
import { startMockServer } from '../mock-server/index.ts';
import { loadScript } from './support/mock-harness.ts';

const seed = loadScript('voicemail-seed');
const KEY = '5324881f-1e84-4367-8930-f69a74b30fff';

/** A stand-in for a connector: sends the seed's requests with its own fetch and token. */
async function connector(url: string, token: string, steps = seed.steps): Promise<number[]> {
  const statuses: number[] = [];
  for (const step of steps) {
    const res = await fetch(`${url}${step.path}`, {
      method: step.method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(step.body),
    });
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

describe('startMockServer', () => {
  it('runs a connector test end to end: real HTTP, real token, verification, reset', async () => {
    const mock = await startMockServer();
    try {
      expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/telephony\/v1$/);
      expect(await connector(mock.url, await mock.token())).toEqual([201, 200, 202, 200, 200]);
      const report = mock.verify('voicemail', { vendorCallKey: KEY });
      expect(report.ok).toBe(true);
      expect(mock.journal({ operation: 'executeOmniFlow' }).entries).toHaveLength(1);

      // A connector that skips the transcript fails the scenario with a missing step.
      const reset = await mock.reset();
      expect(reset.removed.calls).toBe(1);
      await connector(
        mock.url,
        await mock.token(),
        seed.steps.filter((s) => s.operationId !== 'createTranscript'),
      );
      const broken = mock.verify('voicemail', { vendorCallKey: KEY });
      expect(broken.ok).toBe(false);
      expect(broken.problems.map((p) => p.kind)).toEqual(['missing-step']);
      expect(mock.verify('voicemail').reports).toHaveLength(1);
    } finally {
      await mock.close();
    }
  });

  it('gives each suite its own tenant by org id, on one server or several', async () => {
    const a = await startMockServer({ orgId: '00D000000000011' });
    try {
      const tokenB = await a.token({ orgId: '00D000000000012' });
      await connector(a.url, await a.token());
      await connector(a.url, tokenB);
      expect(a.journal().total).toBe(5);
      expect(a.verify('voicemail').reports).toHaveLength(1);
      expect(a.server.store.counts().calls).toBe(2);
    } finally {
      await a.close();
    }
  });

  it('refuses an unknown scenario by name', async () => {
    const mock = await startMockServer();
    try {
      expect(() => mock.verify('voicemial')).toThrow(/unknown scenario "voicemial" \(known: voicemail,/);
    } finally {
      await mock.close();
    }
  });

  it('takes rule levels, and refuses an unknown rule or level with the closest name', async () => {
    const mock = await startMockServer({
      rules: { CLEAR_ROUTING_WITHOUT_PENDING: 'refuse', UNDOCUMENTED_FIELD: 'off' },
    });
    try {
      const token = await mock.token();
      const send = (method: string, path: string, body?: unknown) =>
        fetch(`${mock.url}${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      expect((await send('POST', '/voiceCalls', seed.steps[0]!.body)).status).toBe(201);
      const cleared = await send('PATCH', `/voiceCalls/${KEY}/clearRouting`);
      expect(cleared.status).toBe(409);
      expect(((await cleared.json()) as { rule: string }).rule).toBe('CLEAR_ROUTING_WITHOUT_PENDING');
      const extra = await send('PATCH', `/voiceCalls/${KEY}`, { isActiveCall: true, holdMusic: 'jazz' });
      expect(extra.status).toBe(200);
      expect(extra.headers.get('scv-mock-warnings')).toBeNull();
      const rules = (await (await fetch(`${mock.rootUrl}/__admin/rules`)).json()) as {
        rules: Array<{ id: string; level: string; levelFrom: string }>;
      };
      expect(rules.rules.find((r) => r.id === 'CLEAR_ROUTING_WITHOUT_PENDING')).toMatchObject({
        level: 'refuse',
        levelFrom: 'option',
      });
    } finally {
      await mock.close();
    }
    await expect(startMockServer({ rules: { CLEAR_ROUTING_WITHOUT_PENDNG: 'refuse' } })).rejects.toThrow(
      /did you mean CLEAR_ROUTING_WITHOUT_PENDING\?/,
    );
    await expect(startMockServer({ rules: { CLEAR_ROUTING_WITHOUT_PENDING: 'deny' as 'refuse' } })).rejects.toThrow(
      /"deny" is not a level/,
    );
  });

  it("says the evidence is incomplete, instead of reporting missing steps, when the journal dropped the call's requests", async () => {
    const mock = await startMockServer({ journalSize: 3 });
    try {
      expect(await connector(mock.url, await mock.token())).toEqual([201, 200, 202, 200, 200]);
      expect(mock.journal().dropped).toBe(2);
      const report = mock.verify('voicemail', { vendorCallKey: KEY });
      expect(report.ok).toBe(false);
      expect(report.problems.map((p) => p.kind)).toEqual(['incomplete-evidence']);
      // The steps the dropped requests made are unknown, not skipped.
      expect(report.steps.filter((s) => s.status === 'unknown').map((s) => s.id)).toEqual(
        expect.arrayContaining(['create']),
      );
      expect(report.problems[0]!.message).toMatch(
        /^2 request\(s\) of this call were dropped from the journal \(it keeps 3 per tenant\).*--journal-size/,
      );
    } finally {
      await mock.close();
    }
  });
});
