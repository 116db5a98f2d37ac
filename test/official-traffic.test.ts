/**
 * What Salesforce's own code and docs send must pass strict mode: every sequence of the official-traffic
 * corpus is replayed over HTTP with real tokens against the default rules, and no request may be
 * refused. Where the mock's reading of the docs flags a request, that is a warning with its reason, and
 * each step names the warnings it is known to raise, so a new one shows up here. Sequences of a
 * documented flow must also pass that flow's scenario.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { verificationReportSchema } from '../contracts/admin-schemas.ts';
import { defaultLevel, ruleById } from '../contracts/sequence-rules.ts';
import request from 'supertest';
import { loadOfficialTraffic } from './support/official-traffic.ts';
import { loadScript, startMock, type Client, type Harness } from './support/mock-harness.ts';

const corpus = loadOfficialTraffic();
const seed = loadScript('voicemail-seed');

const warningIds = (header: unknown): string[] => [
  ...new Set(
    (typeof header === 'string' ? header : '')
      .split(',')
      .map((item) => item.trim().split(';')[0]!)
      .filter(Boolean),
  ),
];

let mock: Harness;
afterAll(async () => mock?.server.close());

async function clientFor(contactCenter: string | undefined): Promise<Client> {
  return contactCenter === undefined ? mock : mock.as(contactCenter);
}

describe('the official-traffic corpus', () => {
  it('has sequences for the post-call sync, abandoned calls, Contact Lens, transfers, callbacks, voicemail and the reference examples', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(12);
    const sources = corpus.flatMap((sequence) => sequence.sources).join(' ');
    for (const part of [
      'ctrDataSync',
      'handleContactEvents',
      'contactLensProcessor',
      'postCallAnalysisTrigger',
      'voiceMailPackaging',
      'voice-pt-transfer-calls-omni-channel-flow',
      'voice_rest_callback',
      'byo-demo-connector',
    ]) {
      expect(sources, part).toContain(part);
    }
  });

  describe.each(corpus.map((sequence) => [sequence.name, sequence] as const))('%s', (_name, sequence) => {
    it('passes strict mode with no refusal; each warning is one the step names, with its reason', async () => {
      await mock?.server.close();
      mock = await startMock({ mode: 'strict' });
      const client = await clientFor(sequence.contactCenter);
      for (const step of sequence.steps) {
        let req = client.call(step.method, step.path, step.body);
        for (const [name, value] of Object.entries(step.headers ?? {})) req = req.set(name, value);
        const res = await req;
        expect(res.status, `${step.title}: ${JSON.stringify(res.body)}`).toBe(step.expect.status);
        expect(warningIds(res.headers['scv-mock-warnings']).sort(), step.title).toEqual(
          [...step.expect.warnings].sort(),
        );
      }
      // The journal holds every rule check: none is a violation, and every warning carries its reason.
      const checks = mock.server.journal.list(mock.tenant.key).entries.flatMap((entry) => entry.checks);
      expect(checks.filter((check) => check.outcome === 'violation')).toEqual([]);
      for (const check of checks.filter((c) => c.outcome === 'warning')) {
        expect(defaultLevel(ruleById(check.rule)), check.rule).toBe('warn');
        expect(check.message?.length ?? 0, `${check.rule} says why`).toBeGreaterThan(40);
      }

      if (sequence.scenario !== undefined) {
        const key =
          sequence.steps
            .map((s) => (s.body as { vendorCallKey?: string } | undefined)?.vendorCallKey)
            .find((k) => k !== undefined) ?? sequence.steps[0]!.path.split('/')[2]!;
        const res = await request(mock.server.app)
          .post('/__admin/verify')
          .set('Authorization', `Bearer ${client.token}`)
          .send({ scenario: sequence.scenario, vendorCallKey: key });
        const report = verificationReportSchema.parse(res.body);
        expect(report.problems, JSON.stringify(report.problems, null, 1)).toEqual([]);
        expect(report.ok).toBe(true);
      }
    });
  });

  it("the seed page's own sequence passes too, and the seed's rule still refuses with its id", async () => {
    await mock?.server.close();
    mock = await startMock({ mode: 'strict' });
    for (const step of seed.steps) await mock.call(step.method, step.path, step.body).expect(step.expect.status);
    await mock
      .post('/voiceCalls', { ...(seed.steps[0]!.body as object), vendorCallKey: 'live-first', callOrigin: undefined })
      .expect(201);
    await mock.patch('/voiceCalls/live-first/omniFlow', { dialedNumber: '999999999' }).expect(200);
    const refused = await mock
      .patch('/voiceCalls/live-first', { isActiveCall: true, callOrigin: 'Voicemail' })
      .expect(409);
    expect(refused.body).toMatchObject({ errorCode: 'SEQUENCE_VIOLATION', rule: 'VOICEMAIL_ORIGIN_AFTER_FLOW' });
  });
});
