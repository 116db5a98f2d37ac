/**
 * The package as another project gets it: `npm pack` builds JavaScript with type declarations, the
 * tarball installs in a fresh project, and that project starts the mock, runs the seed, verifies it,
 * imports scv-telephony-mock/contracts, runs the scv-mock bin, and type-checks against the declarations.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const project = mkdtempSync(join(tmpdir(), 'scv-consumer-'));
const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  const packs = mkdtempSync(join(tmpdir(), 'scv-pack-'));
  run('npm', ['pack', '--pack-destination', packs, '--silent'], ROOT);
  const tarball = join(
    packs,
    readdirSync(packs).find((f) => f.endsWith('.tgz'))!,
  );
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-connector', private: true, type: 'module' }));
  run(
    'npm',
    ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'],
    project,
  );
}, 240_000);

describe('the packed package', () => {
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
