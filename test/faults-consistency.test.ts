/**
 * Faults never leave the store inconsistent: every request script played, on a file store,
 * with seeded random faults on every request (refusals, errors after the write, lost answers, dropped
 * connections, broken bodies). Afterwards the state a restarted mock reads from disk is the state the
 * running one held (nothing half-written, nothing lost that was kept), and every 5xx was an injected one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FaultRuleRequest } from '../contracts/fault-schemas.ts';
import { loadRequestScripts } from '../mock-server/conformance/conformance-runner.ts';
import { startMockServer, type RunningMockServer } from '../mock-server/index.ts';
import { tenantOf } from '../mock-server/tenancy/tenant.ts';

const RANDOM_FAULTS: FaultRuleRequest[] = [
  { name: 'refused', action: { status: 503, retryAfter: 0 }, probability: 0.12, seed: 'refused' },
  { name: 'error after the write', action: { status: 500, applyOperation: true }, probability: 0.1, seed: 'late' },
  { name: 'lost answer', action: { drop: true, applyOperation: true }, probability: 0.1, seed: 'lost' },
  { name: 'dropped', action: { drop: true }, probability: 0.08, seed: 'dropped' },
  { name: 'broken body', action: { body: 'malformed-json' }, probability: 0.08, seed: 'broken' },
  { name: 'slow', action: { delayMs: 1, jitterMs: 20 }, probability: 0.2, seed: 'slow' },
];

/** Every tenant's conversations as the admin API shows them, for comparison across a restart. */
async function stateOf(mock: RunningMockServer, centers: readonly string[]): Promise<string[]> {
  return Promise.all(
    centers.map(async (callCenterApiName) => {
      const token = await mock.token({ callCenterApiName });
      const answer = await fetch(`${mock.rootUrl}/__admin/calls`, { headers: { Authorization: `Bearer ${token}` } });
      return answer.text();
    }),
  );
}

describe('random faults on every request', () => {
  it('leave a store that restarts into the same state, and no 5xx but injected ones', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scv-faults-store-')), 'store.json');
    const scripts = loadRequestScripts();
    const centers = [...new Set(scripts.map((script) => script.contactCenter ?? 'MyContactCenter'))];
    const mock = await startMockServer({ dataFile: file, seed: 'faults' });
    let restarted: RunningMockServer | undefined;
    try {
      for (const center of centers) {
        for (const rule of RANDOM_FAULTS) mock.server.faults.add(tenantOf(mock.server.org.orgId, center).key, rule);
      }
      const serverErrors: string[] = [];
      let answered = 0;
      let failedToAnswer = 0;
      // Every script, each as a connector would send it: on a turned-away request, once more. One after
      // the other, so that the seeded faults fall on the same requests in every run.
      for (const script of scripts) {
        const token = await mock.token({ callCenterApiName: script.contactCenter ?? 'MyContactCenter' });
        for (const step of script.steps) {
          for (let attempt = 0; attempt < 2; attempt++) {
            try {
              const answer = await fetch(`${mock.url}${step.path}`, {
                method: step.method,
                headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
                ...(step.body === undefined ? {} : { body: JSON.stringify(step.body) }),
              });
              const text = await answer.text();
              answered += 1;
              if (answer.status >= 500) serverErrors.push(text);
              if (answer.status !== 503) break;
            } catch {
              failedToAnswer += 1;
              break;
            }
          }
        }
      }
      // The faults happened, of every kind.
      const kinds = new Set(
        centers.flatMap((center) =>
          mock.server.journal
            .list(tenantOf(mock.server.org.orgId, center).key, {})
            .entries.flatMap((entry) => (entry.fault === undefined ? [] : [entry.fault.kind])),
        ),
      );
      expect([...kinds].sort()).toEqual(['body', 'delay', 'drop', 'status']);
      expect(answered).toBeGreaterThan(0);
      expect(failedToAnswer).toBeGreaterThan(0);
      for (const body of serverErrors) expect(body).toMatch(/Injected by fault rule/);

      const before = await stateOf(mock, centers);
      expect(before.join('')).toContain('"legs"');
      await mock.close();
      restarted = await startMockServer({ dataFile: file });
      expect(await stateOf(restarted, centers)).toEqual(before);
    } finally {
      await (restarted ?? mock).close();
    }
  }, 60_000);
});
