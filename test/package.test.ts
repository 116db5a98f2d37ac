/**
 * The package as another project gets it: `npm pack` builds JavaScript with type declarations, the
 * tarball installs in a fresh project without warnings, and that project starts the mock, runs the seed,
 * verifies it, imports scv-telephony-mock/contracts, runs the scv-mock bin, type-checks against the
 * declarations, requires the package from CommonJS and runs the README's jest examples with jest.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readmeBlock, readmeBlockContaining } from './support/readme-blocks.ts';
import { runWorkflowJob } from './support/workflow-runner.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const project = mkdtempSync(join(tmpdir(), 'scv-consumer-'));
const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
let installOutput = '';
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(() => {
  const packs = mkdtempSync(join(tmpdir(), 'scv-pack-'));
  run('npm', ['pack', '--pack-destination', packs, '--silent'], ROOT);
  const tarball = join(
    packs,
    readdirSync(packs).find((f) => f.endsWith('.tgz'))!,
  );
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-connector', private: true, type: 'module' }));
  // Warnings on: an engine warning here is what every consumer would see.
  const install = spawnSync(
    'npm',
    ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=warn'],
    { cwd: project, encoding: 'utf8' },
  );
  installOutput = install.stdout + install.stderr;
  if (install.status !== 0) throw new Error(`npm install failed:\n${installOutput}`);
}, 240_000);

/** Runs one of this repository's test tools (vitest, jest) in the consumer project, as that project would. */
const runTool = (script: string, args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, [join(ROOT, script), ...args], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });

/** The connector the README's examples import (../src/connector.js), in both module systems. */
function writeConnector(): void {
  const connector = `class MyConnector {
constructor({ baseUrl, token }) { this.baseUrl = baseUrl; this.token = token; }
async send(method, path, body) {
  let answer = await fetch(this.baseUrl + path, { method, headers: { Authorization: 'Bearer ' + (await this.token()), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  // One retry of what the service turned away for now, after its Retry-After.
  if (answer.status === 429 || answer.status === 503) {
    await new Promise((resolve) => setTimeout(resolve, 1000 * Number(answer.headers.get('retry-after') ?? 1)));
    answer = await fetch(this.baseUrl + path, { method, headers: { Authorization: 'Bearer ' + (await this.token()), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }
  if (!answer.ok) throw new Error(method + ' ' + path + ': ' + answer.status + ' ' + (await answer.text()));
}
async handleVoicemail({ contactId, dialedNumber }) {
  const caller = '14155550100';
  await this.send('POST', '/voiceCalls', { callCenterApiName: 'MyContactCenter', vendorCallKey: contactId, to: dialedNumber, from: caller, initiationMethod: 'Inbound', callOrigin: 'Voicemail', startTime: new Date().toISOString(), participants: [{ participantKey: caller, type: 'END_USER' }] });
  await this.send('POST', '/voiceCalls/' + contactId + '/messages', { participantId: contactId + 'END_USER', messageId: 'm1', startTime: Date.now(), endTime: Date.now() + 1000, content: 'please call back', senderType: 'END_USER' });
  await this.send('PATCH', '/voiceCalls/' + contactId + '/omniFlow', { dialedNumber });
  await this.send('PATCH', '/voiceCalls/' + contactId, { recordingLocation: 'https://recordings.example/vm.wav', totalRecordingDuration: 5 });
}
}
`;
  mkdirSync(join(project, 'src'), { recursive: true });
  mkdirSync(join(project, 'test'), { recursive: true });
  writeFileSync(join(project, 'src', 'connector.js'), `${connector}export { MyConnector };\n`);
  writeFileSync(join(project, 'src', 'connector.cjs'), `${connector}module.exports = { MyConnector };\n`);
}

describe('the packed package', () => {
  it('installs without an engine warning on the Node version the tests run on', () => {
    // openapi-backend 5.21 pulled in a json-schema-ref-parser that wants Node 22.19 (EBADENGINE here).
    expect(installOutput).not.toMatch(/EBADENGINE|Unsupported engine/);
    expect(run('npm', ['ls', '--all'], project)).not.toMatch(/invalid|missing/);
  });

  it("runs the README's vitest examples with vitest: a connector test, and one with a fault rule", () => {
    writeConnector();
    // The project's vitest, as the connector project would have it installed.
    if (!existsSync(join(project, 'node_modules', 'vitest'))) {
      symlinkSync(join(ROOT, 'node_modules', 'vitest'), join(project, 'node_modules', 'vitest'), 'dir');
    }
    writeFileSync(join(project, 'test', 'voicemail.vitest.test.ts'), readmeBlock('A vitest connector test'));
    writeFileSync(join(project, 'test', 'retry.vitest.test.ts'), readmeBlock('In a test, with the harness:'));
    const vitest = runTool(
      'node_modules/vitest/vitest.mjs',
      ['run', 'test/voicemail.vitest.test.ts', 'test/retry.vitest.test.ts', '--root', project],
      { NO_COLOR: '1' },
    );
    expect(vitest.stdout, vitest.stderr).toMatch(/Tests +2 passed \(2\)/);
    expect(vitest.status).toBe(0);
  });

  it("runs the README's jest examples, ES module and CommonJS, and jest reports nothing late", () => {
    writeConnector();
    writeFileSync(join(project, 'test', 'voicemail.test.js'), readmeBlock('With jest, run the suite as ES modules'));
    writeFileSync(join(project, 'test', 'voicemail.test.cjs'), readmeBlock('A CommonJS jest suite'));
    const jest = runTool(
      'node_modules/jest/bin/jest.js',
      ['--ci', '--runTestsByPath', 'test/voicemail.test.js', 'test/voicemail.test.cjs'],
      { NODE_OPTIONS: '--experimental-vm-modules' },
    );
    expect(jest.stderr).toMatch(/Tests: +2 passed, 2 total/);
    expect(jest.status).toBe(0);
    // A module loaded after close (the mock's background loading) is printed by jest, not failed.
    expect(jest.stderr).not.toMatch(/torn down|did not exit|open handle/i);
  });

  it('exports the fixtures by package path: the JSON Schemas and the default org', () => {
    const resolved = run(
      'node',
      [
        '-e',
        "for (const f of ['org-fixture.schema.json', 'rules-file.schema.json', 'default-org.json']) console.log(require.resolve('scv-telephony-mock/fixtures/' + f))",
      ],
      project,
    );
    expect(resolved.trim().split('\n')).toEqual(
      ['org-fixture.schema.json', 'rules-file.schema.json', 'default-org.json'].map((f) =>
        join(project, 'node_modules/scv-telephony-mock/fixtures', f),
      ),
    );
  });

  it('starts on a copy of the default org set up as the README says; its $schema path reaches the schema', () => {
    run('bash', ['-c', readmeBlock('Start\nfrom a copy of the default one')], project);
    const org = JSON.parse(readFileSync(join(project, 'my-org.json'), 'utf8')) as {
      $schema: string;
      contactCenters: Array<{ keys: Array<Record<string, string>> }>;
    };
    org.$schema = './node_modules/scv-telephony-mock/fixtures/org-fixture.schema.json';
    org.contactCenters[0]!.keys = [
      { certificateFile: 'node_modules/scv-telephony-mock/fixtures/keys/demo-certificate.pem' },
    ];
    org.contactCenters[1]!.keys = [];
    writeFileSync(join(project, 'my-org.json'), JSON.stringify(org));
    const script = `
import { readFileSync } from 'node:fs';
import { startMockServer } from 'scv-telephony-mock';
const org = JSON.parse(readFileSync('my-org.json', 'utf8'));
const schema = JSON.parse(readFileSync(org.$schema, 'utf8'));
const mock = await startMockServer({ fixtures: 'my-org.json' });
const health = await fetch(mock.rootUrl + '/__admin/health').then((r) => r.json());
await mock.close();
console.log(JSON.stringify({ status: health.status, title: schema.title }));
`;
    writeFileSync(join(project, 'own-org.mjs'), script);
    expect(JSON.parse(run('node', ['own-org.mjs'], project))).toEqual({
      status: 'ok',
      title: 'scv-telephony-mock org fixture',
    });
  });

  it("runs the README's GitHub Actions job step by step: start, wait, tests, verify with JUnit, upload, stop", async () => {
    // The connector's own tests, as the workflow runs them: the seed's voicemail, with the run's key
    // prefix. Another run's broken call is in the journal too, and --call-prefix leaves it out.
    writeFileSync(
      join(project, 'connector-ci.mjs'),
      `
const { TELEPHONY_API_URL: api, TELEPHONY_API_TOKEN: token, CALL_KEY_PREFIX: prefix } = process.env;
const send = async (method, path, body) => {
  const answer = await fetch(api + path, { method, headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!answer.ok) throw new Error(method + ' ' + path + ': ' + answer.status + ' ' + (await answer.text()));
};
const create = (key) => ({ callCenterApiName: 'MyContactCenter', vendorCallKey: key, to: '999999999', from: '14155550100', initiationMethod: 'Inbound', callOrigin: 'Voicemail', startTime: new Date().toISOString(), participants: [{ participantKey: '14155550100', type: 'END_USER' }] });
await send('POST', '/voiceCalls', create('other-run-1'));
const key = prefix + '1';
await send('POST', '/voiceCalls', create(key));
await send('POST', '/voiceCalls/' + key + '/messages', { participantId: key + 'END_USER', messageId: 'm1', startTime: Date.now(), endTime: Date.now() + 1000, content: 'please call back', senderType: 'END_USER' });
await send('PATCH', '/voiceCalls/' + key + '/omniFlow', { dialedNumber: '999999999' });
await send('PATCH', '/voiceCalls/' + key, { recordingLocation: 'https://recordings.example/vm.wav', totalRecordingDuration: 5 });
console.log('connector tests passed for ' + key);
`,
    );
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ ...manifest, scripts: { test: 'node connector-ci.mjs' } }),
    );
    const job = runWorkflowJob(readmeBlockContaining('# .github/workflows/connector-contract.yml'), 'contract', {
      cwd: project,
      github: { run_id: '4242' },
      // npm ci checks its packuments with the registry, as on a runner. With --prefer-offline it trusted a
      // stale cached one: the install above had resolved node-forge@^1.4.3 from a newer cached document
      // to 1.4.4 (published 2026-11-23), and npm ci's older abbreviated document did not list it (ETARGET).
      env: { npm_config_audit: 'false', npm_config_fund: 'false' },
    });
    for (const step of job.steps) expect(step.ok, `${step.name}:\n${step.output}`).toBe(true);
    expect(job.steps.map((s) => s.name)).toHaveLength(9);
    expect(job.steps.find((s) => s.name === 'Verify the calls')!.output).toContain('voicemail ci-4242-1: PASS');
    const report = readFileSync(join(job.artifacts['scv-mock-report']!, 'reports', 'scv-mock.xml'), 'utf8');
    expect(report).toMatch(/<testsuite name="voicemail ci-4242-1" tests="\d+" failures="0"/);
    expect(report).not.toContain('other-run-1');
    expect(readFileSync(join(job.artifacts['scv-mock-report']!, 'scv-mock.log'), 'utf8')).toContain(
      '"event":"listening"',
    );
    expect(readFileSync(join(project, '.runner', 'step-summary.md'), 'utf8')).toContain('✅');
    // The stop step's SIGTERM ends the mock, which removes its ready file on the way out.
    const pid = Number(job.env.SCV_MOCK_PID);
    await expect.poll(() => alive(pid), { timeout: 15_000 }).toBe(false);
    expect(existsSync(join(project, '.scv-mock', 'url'))).toBe(false);
  }, 120_000);

  it('stops when the npx that started it is killed (npx does not pass SIGTERM on)', async () => {
    const readyFile = join(project, '.npx-mock', 'url');
    const { npm_lifecycle_script: _outer, npm_command: _command, ...env } = process.env;
    const npx = spawn(
      'npx',
      ['scv-mock', 'start', '--port', '0', '--in-memory', '--ready-file', readyFile, '--log-format', 'json'],
      { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    npx.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let mockPid: number | undefined;
    try {
      await expect.poll(() => existsSync(readyFile), { timeout: 30_000, interval: 50 }).toBe(true);
      mockPid = (JSON.parse(output.split('\n').find((line) => line.includes('"listening"'))!) as { pid: number }).pid;
      npx.kill('SIGTERM');
      await expect.poll(() => existsSync(readyFile), { timeout: 15_000, interval: 50 }).toBe(false);
      await expect.poll(() => alive(mockPid!), { timeout: 15_000, interval: 50 }).toBe(false);
    } finally {
      npx.kill('SIGKILL');
      if (mockPid !== undefined && alive(mockPid)) process.kill(mockPid, 'SIGKILL');
    }
  }, 60_000);

  it("is required from CommonJS, as the README's script does", () => {
    writeFileSync(join(project, 'smoke.cjs'), readmeBlock('Outside jest, CommonJS code'));
    const run = spawnSync(process.execPath, ['smoke.cjs'], { cwd: project, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^mock at http:\/\/127\.0\.0\.1:\d+\/telephony\/v1; scenarios: .*voicemail/);
    expect(run.status).toBe(0);
  });

  it('starts the mock in process, runs the seed, verifies it, and exposes the contracts', () => {
    writeFileSync(
      join(project, 'connector.test.mjs'),
      `
import { startMockServer } from 'scv-telephony-mock';
import { createVoiceCallRequestSchema, SEQUENCE_RULES, SCENARIO_NAMES } from 'scv-telephony-mock/contracts';
const mock = await startMockServer();
const token = await mock.token();
const key = 'packed-0001';
const send = (method, path, body) => fetch(mock.url + path, { method, headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status);
const create = { callCenterApiName: 'MyContactCenter', vendorCallKey: key, to: '999999999', from: '999999999', initiationMethod: 'Inbound', callOrigin: 'Voicemail', startTime: '2022-08-02T17:32:28Z', participants: [{ participantKey: '999999999', type: 'END_USER' }] };
const statuses = [
  await send('POST', '/voiceCalls', create),
  await send('POST', '/voiceCalls/' + key + '/messages', { participantId: key + 'END_USER', messageId: 'm1', startTime: 1659461552000, endTime: 1659461559000, content: 'hello', senderType: 'END_USER' }),
  await send('PATCH', '/voiceCalls/' + key + '/omniFlow', { dialedNumber: '999999999' }),
  await send('PATCH', '/voiceCalls/' + key, { recordingLocation: 'https://r.example/p.wav', totalRecordingDuration: 5 }),
];
const report = mock.verify('voicemail', { vendorCallKey: key });
await mock.close();
console.log(JSON.stringify({ statuses, ok: report.ok, problems: report.problems, schema: createVoiceCallRequestSchema.safeParse(create).success, rules: SEQUENCE_RULES.length, scenarios: SCENARIO_NAMES }));
`,
    );
    const out = JSON.parse(run('node', ['connector.test.mjs'], project)) as Record<string, unknown>;
    expect(out).toMatchObject({ statuses: [201, 202, 200, 200], ok: true, problems: [], schema: true });
    expect(out.rules).toBeGreaterThan(20);
    expect(out.scenarios).toContain('voicemail');
  });

  it('ships the bin, built: scv-mock token works without TypeScript tooling', () => {
    const token = run('node', ['node_modules/scv-telephony-mock/bin/scv-mock.mjs', 'token'], project).trim();
    expect(token.split('.')).toHaveLength(3);
    expect(readdirSync(join(project, 'node_modules/scv-telephony-mock'))).not.toContain('mock-server');
    // The dashboard's files are shipped beside the built server that serves them.
    expect(readdirSync(join(project, 'node_modules/scv-telephony-mock/dist/mock-server/dashboard/ui')).sort()).toEqual([
      'app.css',
      'app.js',
      'index.html',
    ]);
  });

  it('type-checks a TypeScript connector test against the declarations', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        include: ['*.ts'],
      }),
    );
    writeFileSync(
      join(project, 'typed.ts'),
      `
import { startMockServer, type RunningMockServer } from 'scv-telephony-mock';
import { type VerificationReport, type CreateVoiceCallRequest, RULES_BY_ID } from 'scv-telephony-mock/contracts';
const mock: RunningMockServer = await startMockServer({ mode: 'lenient', orgId: '00D000000000001' });
const report: VerificationReport = mock.verify('voicemail', { vendorCallKey: 'k' });
const ok: boolean = report.ok && RULES_BY_ID.get('VOICEMAIL_ORIGIN_AFTER_FLOW') !== undefined;
const body: CreateVoiceCallRequest = { callCenterApiName: 'c', vendorCallKey: 'k', to: '1', from: '2', initiationMethod: 'Inbound', startTime: 't', participants: [{ participantKey: '2', type: 'END_USER' }] };
export { ok, body };
`,
    );
    writeFileSync(
      join(project, 'wrong.ts'),
      `import { startMockServer } from 'scv-telephony-mock';\nawait startMockServer({ mode: 'sloppy' });\n`,
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    let errors = '';
    try {
      run('node', [tsc, '-p', '.'], project);
    } catch (error) {
      errors = String((error as { stdout?: string }).stdout);
    }
    // Only the deliberate mistake fails: the declarations are there and precise.
    expect(errors).toMatch(/wrong\.ts\(2,\d+\): error TS2322: Type '"sloppy"' is not assignable to type 'RuleMode/);
    expect(errors.split('\n').filter((line) => line.includes('error TS'))).toHaveLength(1);
  });
});
