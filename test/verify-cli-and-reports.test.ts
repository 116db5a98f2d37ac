/**
 * Verification from the command line and the CI reports: `scv-mock verify` against a real mock process
 * exits 0 on a clean call and 1 on a broken one, and writes JUnit XML, JSON and Markdown.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verificationReportSchema, type VerificationSummary } from '../contracts/admin-schemas.ts';
import { toJUnit, toMarkdown, toText } from '../contracts/report-formats.ts';
import { signToken } from '../mock-server/auth/token-signer.ts';
import { runCli, startCli, type RunningMock } from './support/cli-process.ts';
import { inboundCall, loadScript } from './support/mock-harness.ts';

let mock: RunningMock;
let token: string;
const dir = mkdtempSync(join(tmpdir(), 'scv-verify-'));

async function send(method: string, path: string, body?: unknown): Promise<number> {
  const res = await fetch(`${mock.baseUrl}/telephony/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  mock = await startCli(['--in-memory', '--quiet']);
  token = await signToken({ orgId: '00DSM0000000MCK2A2', callCenterApiName: 'MyContactCenter' });
  for (const step of loadScript('voicemail-seed').steps)
    expect(await send(step.method, step.path, step.body)).toBe(step.expect.status);
  // A broken voicemail: routed before it was tagged, and no transcript.
  await send('POST', '/voiceCalls', inboundCall('broken'));
  await send('PATCH', '/voiceCalls/broken/omniFlow', { dialedNumber: '999999999' });
  await send('PATCH', '/voiceCalls/broken', { isActiveCall: true, callOrigin: 'Voicemail' });
  await send('PATCH', '/voiceCalls/broken', { recordingLocation: 'https://r.example/b.wav' });
});
afterAll(async () => mock.stop());

/** `scv-mock verify --url <the mock> --scenario voicemail`, to add flags to. */
const verifyVoicemail = () => ['verify', '--url', mock.baseUrl, '--scenario', 'voicemail'];

describe('scv-mock verify', () => {
  it('passes the seed call: exit 0, and writes JUnit, JSON and Markdown', async () => {
    const files = { junit: join(dir, 'ok.xml'), json: join(dir, 'ok.json'), markdown: join(dir, 'ok.md') };
    const run = await runCli([
      ...verifyVoicemail(),
      '--call',
      '5324881f-1e84-4367-8930-f69a74b30fff',
      '--junit',
      files.junit,
      '--json',
      files.json,
      '--markdown',
      files.markdown,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('voicemail 5324881f-1e84-4367-8930-f69a74b30fff: PASS');
    expect(verificationReportSchema.parse(JSON.parse(readFileSync(files.json, 'utf8'))).ok).toBe(true);
    const junit = readFileSync(files.junit, 'utf8');
    expect(junit).toMatch(/<testsuite name="voicemail 5324881f[^"]*" tests="\d+" failures="0"/);
    expect(junit).toContain('name="step omniflow: Execute the Omni-Channel flow for the dialed number"');
    // The rules found nothing: no case each (they could not fail), but the suite says which ran.
    expect(junit).not.toContain('name="rule ');
    expect(junit).toMatch(/<property name="rulesChecked" value="[^"]*\bVOICEMAIL_ORIGIN_AFTER_FLOW\b[^"]*"\/>/);
    const steps = (JSON.parse(readFileSync(files.json, 'utf8')) as { steps: unknown[] }).steps.length;
    expect(junit.match(/<testcase /g)).toHaveLength(steps + 1);
    expect(readFileSync(files.markdown, 'utf8')).toContain('scenario `voicemail` ✅ passed');
  });

  it('fails a broken call: exit 1, with each problem and what to change', async () => {
    const junitFile = join(dir, 'broken.xml');
    const run = await runCli([...verifyVoicemail(), '--call', 'broken', '--junit', junitFile]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('voicemail broken: FAIL');
    // The flow ran for the live call (the scenario allows that, if cleared); the tag came too late and
    // the voicemail's own flow never ran.
    expect(run.stdout).toContain('[rule-violation VOICEMAIL_ORIGIN_AFTER_FLOW]');
    expect(run.stdout).toContain('[missing-step] "Post the transcript" did not happen');
    expect(run.stdout).toContain('[missing-step] "Execute the Omni-Channel flow for the dialed number" did not happen');
    const junit = readFileSync(junitFile, 'utf8');
    expect(junit).toMatch(/failures="[1-9]\d*"/);
    expect(junit).toContain(
      '<failure message="&quot;Execute the Omni-Channel flow for the dialed number&quot; did not happen',
    );
    // The call's span, and the request behind the rule violation with what the mock answered.
    expect(junit).toMatch(/<testsuite name="voicemail broken" [^>]* timestamp="\d{4}-[^"]+Z" time="\d+\.\d{3}">/);
    expect(junit).toMatch(/request #\d+: PATCH \/telephony\/v1\/voiceCalls\/broken\n[\s\S]*answered 20\d:/);
  });

  it('checks every call of the tenant without --call', async () => {
    const run = await runCli(['verify', '--url', mock.baseUrl, '--scenario', 'voicemail']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/5324881f-1e84-4367-8930-f69a74b30fff: PASS[\s\S]*broken: FAIL/);
  });

  it('picks calls by vendorCallKey prefix or first-seen time, and says which it judged', async () => {
    const seed = await runCli([...verifyVoicemail(), '--call-prefix', '5324']);
    expect(seed.code, seed.stdout).toBe(0);
    expect(seed.stdout).toContain(
      'judged 1 call(s) with vendorCallKey starting "5324": 5324881f-1e84-4367-8930-f69a74b30fff',
    );
    expect(seed.stdout).not.toContain('broken');
    const broken = await runCli([...verifyVoicemail(), '--call-prefix', 'bro']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('judged 1 call(s) with vendorCallKey starting "bro": broken');
    // A call made now is the only one first seen since a moment ago.
    const since = new Date(Date.now() - 1).toISOString();
    for (const step of loadScript('voicemail-seed').steps) {
      const path = step.path.replace('5324881f-1e84-4367-8930-f69a74b30fff', 'late-call');
      const body =
        step.body === undefined
          ? undefined
          : JSON.parse(JSON.stringify(step.body).replaceAll('5324881f-1e84-4367-8930-f69a74b30fff', 'late-call'));
      expect(await send(step.method, path, body)).toBe(step.expect.status);
    }
    const late = await runCli([...verifyVoicemail(), '--since', since]);
    expect(late.code, late.stdout).toBe(0);
    expect(late.stdout).toContain(`judged 1 call(s) with first seen since ${since}: late-call`);
    const future = await runCli([...verifyVoicemail(), '--since', '2999-01-01T00:00:00Z']);
    expect(future.code).toBe(1);
    expect(future.stdout).toContain(
      'no call of this tenant is in the journal with first seen since 2999-01-01T00:00:00.000Z',
    );
    const both = await runCli([...verifyVoicemail(), '--call', 'x', '--since', since]);
    expect(both.code).toBe(2);
    const badTime = await runCli([...verifyVoicemail(), '--since', 'yesterday']);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain('--since "yesterday" is not a time');
  });

  it('another tenant has no calls: exit 1 with one failing JUnit case; an unknown call: exit 1, not 3', async () => {
    const otherJunit = join(dir, 'other.xml');
    const otherOrg = await runCli([...verifyVoicemail(), '--org', '00D000000000009', '--junit', otherJunit]);
    expect(otherOrg.code).toBe(1);
    expect(otherOrg.stdout).toContain('no call of this tenant is in the journal');
    // Never an empty suite: a dashboard must show a failure, not "0 tests".
    const other = readFileSync(otherJunit, 'utf8');
    expect(other).toMatch(/tests="1" failures="1"/);
    expect(other).toContain('no call of this tenant is in the journal');

    const ghostJunit = join(dir, 'ghost.xml');
    const ghost = await runCli([...verifyVoicemail(), '--call', 'ghost', '--junit', ghostJunit]);
    expect(ghost.code, ghost.stderr).toBe(1);
    expect(ghost.stderr).toContain('has no request for vendorCallKey "ghost"');
    expect(ghost.stdout).toContain('voicemail ghost: FAIL (not in the journal)');
    expect(readFileSync(ghostJunit, 'utf8')).toMatch(/failures="1"[\s\S]*vendorCallKey &quot;ghost&quot;/);
  });

  it('writes reports into folders it creates, the job summary too, and exits with the verdict', async () => {
    const nested = join(dir, 'reports', 'deep');
    const stepSummary = join(dir, 'gh', 'summary.md');
    const run = await runCli(
      [
        ...verifyVoicemail(),
        '--call',
        '5324881f-1e84-4367-8930-f69a74b30fff',
        '--junit',
        join(nested, 'x.xml'),
        '--json',
        join(nested, 'x.json'),
        '--markdown',
        join(nested, 'x.md'),
      ],
      undefined,
      { GITHUB_STEP_SUMMARY: stepSummary },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(nested, 'x.xml'), 'utf8')).toContain('<testsuites');
    expect(JSON.parse(readFileSync(join(nested, 'x.json'), 'utf8'))).toMatchObject({ ok: true });
    expect(readFileSync(join(nested, 'x.md'), 'utf8')).toContain('voicemail');
    expect(readFileSync(stepSummary, 'utf8')).toContain('voicemail');
  });

  it('a report that cannot be written: the verdict is printed, then exit 2 naming the file', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const run = await runCli([
      ...verifyVoicemail(),
      '--call',
      '5324881f-1e84-4367-8930-f69a74b30fff',
      '--junit',
      join(blocker, 'x.xml'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('scenario passed');
    expect(run.stderr).toContain(`cannot write ${join(blocker, 'x.xml')}`);
    expect(run.stderr).toContain('the verdict above stands');
  });

  it('usage errors exit 2 with what to do (scenario, url, key); an unreachable mock exits 3', async () => {
    expect((await runCli(['verify'])).code).toBe(2);
    const typo = await runCli(['verify', '--url', mock.baseUrl, '--scenario', 'voicemial']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown scenario "voicemial": use one of');
    expect(typo.stderr).toContain('voicemail');
    const badUrl = await runCli(['verify', '--url', 'not-a-url', '--scenario', 'voicemail']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('--url not-a-url is not an http(s) URL');
    const noKey = await runCli([...verifyVoicemail(), '--key', 'missing.pem']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('--key missing.pem: cannot read it (ENOENT)');
    const down = await runCli(['verify', '--url', 'http://127.0.0.1:9', '--scenario', 'voicemail']);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('cannot reach the mock at http://127.0.0.1:9');
  });
});

describe('report formats', () => {
  const summary: VerificationSummary = {
    ok: false,
    scenario: 'voicemail',
    reports: [
      {
        ok: false,
        scenario: 'voicemail',
        title: 'Send a voicemail',
        vendorCallKey: 'k<&>',
        conversationId: null,
        steps: [
          {
            id: 'create',
            title: 'Create',
            operations: ['createVoiceCall'],
            optional: false,
            repeatable: false,
            status: 'passed',
            requests: [1],
          },
          {
            id: 'update-active',
            title: 'Keep open',
            operations: ['updateVoiceCall'],
            optional: true,
            repeatable: true,
            status: 'skipped',
            requests: [],
          },
          {
            id: 'transcripts',
            title: 'Transcript',
            operations: ['createTranscript'],
            optional: false,
            repeatable: true,
            status: 'missing',
            requests: [],
          },
        ],
        firstRequestAt: '2026-11-30T17:00:00.000Z',
        lastRequestAt: '2026-11-30T17:00:02.500Z',
        problems: [
          { kind: 'missing-step', step: 'transcripts', message: '"Transcript" never happened.' },
          { kind: 'rule-violation', seq: 3, rule: 'DUPLICATE_MESSAGE_ID', message: 'broke it' },
          {
            kind: 'extra-request',
            seq: 4,
            message: 'extra "one"',
            exchange: {
              method: 'PATCH',
              path: '/telephony/v1/voiceCalls/k/clearRouting',
              requestBody: null,
              status: 404,
              responseBody: { errors: ['no call k'], errorCode: 'CALL_NOT_FOUND' },
            },
          },
        ],
        warnings: [{ rule: 'UNDOCUMENTED_FIELD', seq: 2, message: 'flowName' }],
        coverage: {
          operations: { createVoiceCall: 1 },
          rules: {
            DUPLICATE_MESSAGE_ID: { ok: 0, warning: 0, violation: 1 },
            UNDOCUMENTED_FIELD: { ok: 1, warning: 1, violation: 0 },
          },
          statuses: { '201': 1 },
        },
      },
    ],
  };

  it('JUnit: a case per step and per rule with a finding, plus the loose problems; escaped', () => {
    const junit = toJUnit(summary);
    expect(junit.match(/<testcase /g)).toHaveLength(3 + 2 + 1);
    // A warning is a passing case that says it; a violation a failure (below).
    expect(junit).toContain('name="rule UNDOCUMENTED_FIELD">\n      <system-out>warning:\n#2: flowName</system-out>');
    expect(junit).toContain('<property name="rulesChecked" value="DUPLICATE_MESSAGE_ID UNDOCUMENTED_FIELD"/>');
    expect(junit).toContain(
      '<testsuite name="voicemail k&lt;&amp;&gt;" tests="6" failures="3" skipped="1" timestamp="2026-11-30T17:00:00.000Z" time="2.500">',
    );
    expect(junit).toContain('<failure message="&quot;Transcript&quot; never happened.">');
    expect(junit).toContain('name="rule DUPLICATE_MESSAGE_ID">\n      <failure message="broke it">');
    expect(junit).toContain('name="requests">\n      <failure message="extra &quot;one&quot;">');
    // The failure body carries the request and what the mock answered, not just the message again.
    expect(junit).toContain('  request #4: PATCH /telephony/v1/voiceCalls/k/clearRouting\n    (none)\n  answered 404:');
    expect(junit).toContain('&quot;errorCode&quot;: &quot;CALL_NOT_FOUND&quot;');
  });

  it('Markdown and text name each step, problem and warning', () => {
    const markdown = toMarkdown(summary);
    expect(markdown).toContain('| Transcript | ❌ missing |  |');
    expect(markdown).toContain('- `rule-violation` `DUPLICATE_MESSAGE_ID`: broke it');
    expect(markdown).toContain('Coverage: createVoiceCall ×1; answers 201 ×1; 2 rules checked, 1 violated.');
    const text = toText(summary);
    expect(text).toContain('voicemail k<&>: FAIL (3 problems)');
    expect(text).toContain('~ [UNDOCUMENTED_FIELD] flowName');
    expect(text.trim().endsWith('scenario failed')).toBe(true);
  });
});
