/**
 * The conformance runner: against the mock itself every scenario conforms; against a target that
 * answers differently, each difference in status and body shape is reported.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_NAMES } from '../contracts/scenarios.ts';
import { loadRequestScripts, runConformance } from '../mock-server/conformance/conformance-runner.ts';
import { startMockServer, type RunningMockServer } from '../mock-server/index.ts';
import { runCli, startCli, type RunningMock } from './support/cli-process.ts';

describe('conformance against the mock itself', () => {
  let cli: RunningMock;
  beforeAll(async () => {
    cli = await startCli(['--in-memory', '--quiet']);
  });
  afterAll(async () => cli.stop());

  it('scv-mock conformance passes every scenario: exit 0', async () => {
    const run = await runCli(['conformance', '--base-url', cli.baseUrl]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const total = loadRequestScripts().reduce((n, f) => n + f.steps.length, 0);
    expect(run.stdout).toContain(`${total} requests, 0 differ from the mock's assumptions`);
    expect(run.stdout).toContain('✓ voicemail-seed › The partner system creates a VoiceCall');
    expect(run.stdout).not.toContain('✗');
  });

  it('names the valid scenarios for an unknown --scenario (exit 2), and writes reports into new folders', async () => {
    const typo = await runCli(['conformance', '--base-url', cli.baseUrl, '--scenario', 'voicemial']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown --scenario "voicemial": use one of');
    expect(typo.stderr).toContain('voicemail-seed');
    expect(typo.stdout).not.toContain('requests,');
    const dir = join(mkdtempSync(join(tmpdir(), 'scv-conformance-')), 'reports', 'deep');
    const run = await runCli([
      'conformance',
      '--base-url',
      cli.baseUrl,
      '--scenario',
      'abandoned',
      '--junit',
      join(dir, 'c.xml'),
      '--json',
      join(dir, 'c.json'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(dir, 'c.xml'), 'utf8')).toContain('<testsuites name="scv-telephony-mock conformance">');
    expect(JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'))).toMatchObject({ ok: true });
  });

  it('can run again on the same target: vendorCallKeys are unique per run', async () => {
    const run = await runCli([
      'conformance',
      '--base-url',
      `${cli.baseUrl}/telephony/v1`,
      '--scenario',
      'transfer',
      '--scenario',
      'callback',
    ]);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/transfer-0001-leg2-[0-9a-f]{8} /);
    expect(run.stdout).not.toContain('voicemail-seed');
  });
});

describe('conformance in process', () => {
  let mock: RunningMockServer;
  beforeAll(async () => {
    mock = await startMockServer();
  });
  afterAll(async () => mock.close());

  it('covers every scenario, and each run creates its own calls', async () => {
    const report = await runConformance({
      baseUrl: mock.rootUrl,
      orgId: '00D000000000021',
      defaultCallCenterApiName: 'MyContactCenter',
      runId: 'r1',
    });
    expect(report.steps.filter((s) => s.differences.length > 0)).toEqual([]);
    expect(new Set(loadRequestScripts().map((f) => f.scenario))).toEqual(new Set(SCENARIO_NAMES));
    const again = await runConformance({
      baseUrl: mock.rootUrl,
      orgId: '00D000000000021',
      defaultCallCenterApiName: 'MyContactCenter',
      runId: 'r2',
      scenarios: ['voicemail'],
    });
    expect(again.ok).toBe(true);
  });
});

describe('conformance against a target that answers differently', () => {
  let target: Server;
  let url: string;
  beforeAll(async () => {
    // Answers every request 200 {"ok": true}, and omniFlow 404 with a non-documented error body.
    target = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('Content-Type', 'application/json');
        if (req.url?.endsWith('/omniFlow')) {
          res.statusCode = 404;
          res.end(JSON.stringify([{ message: 'not found', errorCode: 'NOT_FOUND' }]));
        } else res.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => target.close(() => resolve())));

  it('reports each status and body shape that differs', async () => {
    const report = await runConformance({
      baseUrl: url,
      orgId: '00D000000000021',
      defaultCallCenterApiName: 'MyContactCenter',
      scenarios: ['voicemail'],
    });
    expect(report.ok).toBe(false);
    const [create, , , omniFlow] = report.steps;
    expect(create!.differences).toEqual(
      expect.arrayContaining([
        'status 200, the mock assumes 201',
        'response voiceCallId: Invalid input: expected string, received undefined',
      ]),
    );
    expect(omniFlow!.differences[0]).toBe('status 404, the mock assumes 200');
    expect(omniFlow!.differences.some((d) => d.startsWith('error body'))).toBe(true);
  });

  it('exits 1 from the command line and writes JUnit', async () => {
    const run = await runCli(['conformance', '--base-url', url, '--scenario', 'abandoned']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ abandoned › Create the call: POST /voiceCalls → 200');
    expect(run.stdout).toMatch(/4 requests, [1-4] differ/);
  });
});
