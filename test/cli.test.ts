/** The scv-mock command: option parsing, and the real process a user starts. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { closestFlag, UsageError } from '../mock-server/cli/parse-flags.ts';
import { stopsWithNpm } from '../mock-server/cli/parent-watch.ts';
import { runsServerApart } from '../mock-server/cli/heap-relaunch.ts';
import { ignoredEnvironment, parseStartOptions } from '../mock-server/cli/start-options.ts';
import { envNameOf } from '../mock-server/cli/start-flags.ts';
import { parseDuration, parseTokenOptions } from '../mock-server/cli/token-command.ts';
import { inboundCall } from './support/mock-harness.ts';
import { README, readmeBlock } from './support/readme-blocks.ts';
import { BIN, runCli, startCli } from './support/cli-process.ts';

describe('scv-mock start options', () => {
  it('defaults to 127.0.0.1:6324, strict, JWT auth, a store file under .scv-mock', () => {
    const options = parseStartOptions([], {});
    expect(options).toMatchObject({
      host: '127.0.0.1',
      port: 6324,
      mode: 'strict',
      auth: 'jwt',
      clockSkewSeconds: 60,
      maxBodyBytes: 1024 * 1024,
      logFormat: 'text',
      quiet: false,
    });
    expect(options.dataFile).toBe(resolve('.scv-mock/store.json'));
  });

  it('takes every option from SCV_MOCK_* variables, flags over them, and never a generic PORT or HOST', () => {
    expect(parseStartOptions([], { SCV_MOCK_PORT: '7000', SCV_MOCK_HOST: '0.0.0.0' })).toMatchObject({
      port: 7000,
      host: '0.0.0.0',
    });
    expect(parseStartOptions(['--port', '7001'], { SCV_MOCK_PORT: '7000' }).port).toBe(7001);
    // An application's PORT is not the mock's: read no more, and the start log says so.
    expect(parseStartOptions([], { PORT: '7000', HOST: '0.0.0.0' })).toMatchObject({ port: 6324, host: '127.0.0.1' });
    expect(ignoredEnvironment({ PORT: '7000' })).toEqual([
      'PORT is set but not read (it may belong to another program); use SCV_MOCK_PORT',
    ]);
    expect(ignoredEnvironment({ PORT: '7000', SCV_MOCK_PORT: '7001' })).toEqual([]);
    expect(
      parseStartOptions([], {
        SCV_MOCK_IN_MEMORY: '1',
        SCV_MOCK_QUIET: 'true',
        SCV_MOCK_MODE: 'lenient',
        SCV_MOCK_MAX_BODY: '2mb',
        SCV_MOCK_JOURNAL_SIZE: '5',
        SCV_MOCK_LOG_FORMAT: 'json',
        SCV_MOCK_READY_FILE: 'ready.url',
        SCV_MOCK_RULE: 'HOLD_FIELDS_NEED_RECORDING=off, UNDOCUMENTED_FIELD=refuse',
      }),
    ).toMatchObject({
      dataFile: null,
      quiet: true,
      mode: 'lenient',
      maxBodyBytes: 2 * 1024 * 1024,
      journalSize: 5,
      logFormat: 'json',
      readyFile: resolve('ready.url'),
      ruleSettings: [{ from: 'flag', settings: { HOLD_FIELDS_NEED_RECORDING: 'off', UNDOCUMENTED_FIELD: 'refuse' } }],
    });
    expect(parseStartOptions(['--data', 'x.json'], { SCV_MOCK_DATA: 'y.json' }).dataFile).toBe(resolve('x.json'));
    expect(
      parseStartOptions(
        ['-p', '0', '--in-memory', '--mode', 'lenient', '--auth', 'off', '--max-body', '2mb', '--seed', 's'],
        {},
      ),
    ).toMatchObject({
      port: 0,
      dataFile: null,
      mode: 'lenient',
      auth: 'off',
      maxBodyBytes: 2 * 1024 * 1024,
      seed: 's',
    });
  });

  it('rejects bad values with a message that says what is allowed', () => {
    expect(() => parseStartOptions(['--mode', 'loose'], {})).toThrow(
      new UsageError('--mode "loose" is not one of strict, lenient'),
    );
    expect(() => parseStartOptions([], { SCV_MOCK_PORT: 'abc' })).toThrow(/SCV_MOCK_PORT "abc" is not a port/);
    expect(() => parseStartOptions([], { SCV_MOCK_QUIET: 'maybe' })).toThrow(
      /SCV_MOCK_QUIET="maybe" is not a yes or no/,
    );
    expect(() => parseStartOptions([], { SCV_MOCK_MODE: 'loose' })).toThrow(/SCV_MOCK_MODE "loose" is not one of/);
    expect(() => parseStartOptions(['--max-body', 'huge'], {})).toThrow(/--max-body "huge" is not a size/);
    expect(() => parseStartOptions(['--in-memory', '--data', 'x.json'], {})).toThrow(/exclude each other/);
    expect(() => parseStartOptions(['--frobnicate'], {})).toThrow(UsageError);
  });
});

describe('the README configuration table', () => {
  it("names each start flag's SCV_MOCK_ variable the way the start reads it", () => {
    const readme = README;
    const rows = [...readme.matchAll(/^\| `(?:-\w, )?--([\w-]+)[^`]*` \| `(SCV_MOCK_\w+)` \|/gm)];
    expect(rows.length).toBeGreaterThanOrEqual(19);
    for (const [, flag, name] of rows) expect(name, flag).toBe(envNameOf(flag!));
  });
});

describe('scv-mock token options', () => {
  it('default to the demo key, the default org and MyContactCenter, 4 hours', () => {
    expect(parseTokenOptions([])).toEqual({
      help: false,
      orgId: '00DSM0000000MCK2A2',
      callCenterApiName: 'MyContactCenter',
    });
    expect(parseTokenOptions(['--ttl', '15m', '--jti', '--org', '00D000000000001'])).toMatchObject({
      ttlSeconds: 900,
      jti: true,
      orgId: '00D000000000001',
    });
  });

  it('read durations in s, m, h and d, and refuse others', () => {
    expect([
      parseDuration('90'),
      parseDuration('90s'),
      parseDuration('2m'),
      parseDuration('4h'),
      parseDuration('1d'),
    ]).toEqual([90, 90, 120, 14400, 86400]);
    expect(() => parseDuration('4 hours')).toThrow(UsageError);
    expect(() => parseTokenOptions(['--exp', 'tomorrow'])).toThrow(/--exp "tomorrow" is not epoch seconds/);
    expect(() => parseTokenOptions(['--key', '/no/such/key.pem'])).toThrow(
      /--key \/no\/such\/key\.pem: cannot read it \(ENOENT\)/,
    );
  });

  it('refuse what the mock would refuse: a lifetime over 24 hours, an org id that is not one', () => {
    expect(parseDuration('24h')).toBe(86400);
    expect(() => parseDuration('48h')).toThrow(
      /--ttl 48h is longer than the API accepts \(24 hours\).*--iat and --exp/,
    );
    expect(() => parseDuration('86401')).toThrow(UsageError);
    expect(() => parseTokenOptions(['--org', '123'])).toThrow(/--org "123" is not an org id/);
    expect(() => parseTokenOptions(['--org', '001000000000001'])).toThrow(/starting with 00D/);
    expect(parseTokenOptions(['--org', '00DSM0000000MCK2A2'])).toMatchObject({ orgId: '00DSM0000000MCK2A2' });
  });
});

describe('unknown flags', () => {
  it('suggest the flag most likely meant, or none when nothing is close', () => {
    const known = ['scenario', 'call', 'url', 'junit', 'port', 'call-center'];
    expect(closestFlag('--scenaro', known)).toBe('--scenario');
    expect(closestFlag('--prot', known)).toBe('--port');
    expect(closestFlag('--call-centre', known)).toBe('--call-center');
    expect(closestFlag('--xyz', known)).toBeUndefined();
  });

  it('exit 2 from the command line with the suggestion', async () => {
    const run = await runCli(['verify', '--scenaro', 'voicemail']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown option --scenaro (did you mean --scenario?)');
  });
});

describe('the scv-mock process', () => {
  it('prints help and its version, and exits 2 on a usage error', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: scv-mock <command>');
    const startHelp = await runCli(['start', '--help']);
    expect(startHelp.stdout).toContain('--fixtures <file>');
    const bad = await runCli(['start', '--mode', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--mode "x" is not one of strict, lenient');
    const badRule = await runCli(['start', '--rule', 'CLEAR_ROUTING_WITHOUT_PENDNG=refuse']);
    expect(badRule.code).toBe(2);
    expect(badRule.stderr).toContain(
      '--rule CLEAR_ROUTING_WITHOUT_PENDNG=refuse: no rule has the id "CLEAR_ROUTING_WITHOUT_PENDNG" (did you mean CLEAR_ROUTING_WITHOUT_PENDING?)',
    );
    const badLevel = await runCli(['start', '--rule', 'CLEAR_ROUTING_WITHOUT_PENDING=error']);
    expect(badLevel.code).toBe(2);
    expect(badLevel.stderr).toContain('"error" is not a level; use one of refuse, warn, off');
    const dir = mkdtempSync(join(tmpdir(), 'scv-cli-rules-'));
    writeFileSync(join(dir, 'rules.json'), JSON.stringify({ rules: { HOLD_FIELDS_NEED_RECORDING: 'sometimes' } }));
    const badFile = await runCli(['start', '--rules-file', join(dir, 'rules.json')]);
    expect(badFile.code).toBe(2);
    expect(badFile.stderr).toMatch(
      /--rules-file .*rules\.json is not a rules file .*\n.*rule HOLD_FIELDS_NEED_RECORDING: "sometimes" is not a level/,
    );
  });

  it('starts, serves and logs requests, and saves its store on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-cli-'));
    // clearRouting with nothing pending only warns by default (Salesforce's own Lambda sends it); this run refuses it.
    const mock = await startCli(['--data', join(dir, 'store.json'), '--rule', 'CLEAR_ROUTING_WITHOUT_PENDING=refuse']);
    try {
      expect(mock.output()).toMatch(/store: +file .*store\.json \(0 calls/);
      expect(mock.output()).toMatch(/rules: +CLEAR_ROUTING_WITHOUT_PENDING=refuse \(.*\/__admin\/rules lists them\)/);
      expect(mock.output()).toMatch(/auth: +RS256 JWT verified against 2 registered key\(s\), any org id/);
      expect(mock.output()).toMatch(/MyContactCenter: 999999999/);
      const health = await fetch(`${mock.baseUrl}/__admin/health`);
      expect(health.status).toBe(200);
      // A token from the token command, as the README's walkthrough gets one.
      const issued = await runCli(['token']);
      expect(issued.code).toBe(0);
      const token = issued.stdout.trim();
      expect(token.split('.')).toHaveLength(3);
      const created = await fetch(`${mock.baseUrl}/telephony/v1/voiceCalls`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(inboundCall('cli-call')),
      });
      expect(created.status).toBe(201);
      const refused = await fetch(`${mock.baseUrl}/telephony/v1/voiceCalls/cli-call/clearRouting`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(refused.status).toBe(409);
      // The child's log reaches us through a pipe, a moment after the answer.
      await vi.waitFor(() => {
        expect(mock.output()).toMatch(
          /POST +\/telephony\/v1\/voiceCalls 201 [\d.]+ms tenant=00DSM0000000MCK2A2\/MyContactCenter/,
        );
        expect(mock.output()).toMatch(
          /PATCH \/telephony\/v1\/voiceCalls\/cli-call\/clearRouting 409 .* rule=CLEAR_ROUTING_WITHOUT_PENDING/,
        );
      });
    } finally {
      expect(await mock.stop('SIGTERM')).toBe(0);
    }
    const snapshot = JSON.parse(readFileSync(join(dir, 'store.json'), 'utf8')) as {
      calls: Array<{ vendorCallKey: string }>;
    };
    expect(snapshot.calls.map((c) => c.vendorCallKey)).toEqual(['cli-call']);
  });

  it('with --auth off and --in-memory, needs no token and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-cli-'));
    const mock = await startCli(['--auth', 'off', '--in-memory'], dir);
    try {
      expect(mock.output()).toMatch(/auth: +OFF/);
      const created = await fetch(`${mock.baseUrl}/telephony/v1/voiceCalls`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(inboundCall('no-token')),
      });
      expect(created.status).toBe(201);
    } finally {
      await mock.stop();
    }
    expect(existsSync(join(dir, '.scv-mock'))).toBe(false);
  });

  it('stops at start with a precise message for a bad fixture file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-cli-'));
    const fixture = join(dir, 'org.json');
    writeFileSync(fixture, JSON.stringify({ orgId: '00DSM0000000MCK', name: 'x', contactCenters: [] }));
    const run = await runCli(['start', '--in-memory', '--fixtures', fixture]);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain(`${fixture} is not a valid org fixture`);
    expect(run.stdout + run.stderr).toContain('contactCenters: Too small');
  });
});

describe('starting in the background', () => {
  it('--ready-file appears whole with the URL once the mock listens on --port 0, and goes at shutdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-ready-'));
    const readyFile = join(dir, 'run', 'mock.url');
    const child = spawn(process.execPath, [
      BIN,
      'start',
      '--port',
      '0',
      '--in-memory',
      '--quiet',
      '--ready-file',
      readyFile,
    ]);
    const exited = new Promise<number | null>((done) => child.on('close', done));
    try {
      await vi.waitFor(() => expect(existsSync(readyFile)).toBe(true), { timeout: 15_000, interval: 20 });
      const url = readFileSync(readyFile, 'utf8').trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(url).not.toMatch(/:0$/);
      expect((await fetch(`${url}/__admin/health`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(existsSync(readyFile)).toBe(false);
  });

  it('with --log-format json, the start is one JSON line with event "listening" and the URL', async () => {
    const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--in-memory', '--log-format', 'json']);
    const exited = new Promise<number | null>((done) => child.on('close', done));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await vi.waitFor(() => expect(out).toContain('\n'), { timeout: 15_000, interval: 20 });
      const start = JSON.parse(out.split('\n')[0]!) as Record<string, unknown>;
      expect(start).toMatchObject({ level: 'info', event: 'listening' });
      // The server's pid: the process started runs it as its child (heap-relaunch.ts).
      expect(parentOf(start.pid as number)).toBe(child.pid);
      expect(start.url).toBe(`http://127.0.0.1:${String(start.port)}`);
      expect(start.api).toBe(`${String(start.url)}/telephony/v1`);
      expect(start.banner).toEqual(expect.arrayContaining([expect.stringContaining('listening on')]));
      expect((await fetch(`${String(start.health)}`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});

/** The parent of a process, from /proc/<pid>/stat (its fourth field, after the name in parentheses). */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

describe('the server process that scv-mock start runs', () => {
  it.each([
    ['plain node', 'linux', [], undefined, true],
    ['macOS', 'darwin', ['--trace-gc-nvp'], '', true],
    ['the limit given to node', 'linux', ['--initial-old-space-size=0'], undefined, false],
    ['the limit with underscores', 'linux', ['--initial_old_space_size=512'], undefined, false],
    ['a debugger flag', 'linux', ['--inspect-brk'], undefined, false],
    ['a debugger in NODE_OPTIONS', 'linux', [], '--max-old-space-size=4096 --inspect=9230', false],
    ['Windows', 'win32', [], undefined, false],
  ])('%s: in a second process = %s', (_label, platform, execArgv, nodeOptions, expected) => {
    expect(runsServerApart(platform, execArgv, nodeOptions)).toBe(expected);
  });

  const jsonStart = (nodeFlags: string[] = []) => {
    const child = spawn(
      process.execPath,
      [...nodeFlags, BIN, 'start', '--port', '0', '--in-memory', '--log-format', 'json'],
      {
        detached: true,
      },
    );
    const exited = new Promise<number | null>((done) => child.on('close', done));
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const listening = vi
      .waitFor(() => expect(out).toContain('\n'), { timeout: 15_000, interval: 20 })
      .then(() => JSON.parse(out.split('\n')[0]!) as { pid: number; health: string });
    return { child, exited, listening, output: () => out, errors: () => err };
  };

  it('starts with a 256 MB first old generation, as a child of the process started', async () => {
    const { child, exited, listening } = jsonStart();
    try {
      const { pid } = await listening;
      expect(parentOf(pid)).toBe(child.pid);
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--initial-old-space-size=256');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('runs in the process started when node is given the limit itself', async () => {
    const { child, exited, listening } = jsonStart(['--initial-old-space-size=0']);
    try {
      expect((await listening).pid).toBe(child.pid);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s to the process started stops the server once, saving', async (signal) => {
    const { child, exited, listening, output } = jsonStart();
    const { pid } = await listening;
    child.kill(signal);
    expect(await exited).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(output()).toContain(`${signal}: saving the store and shutting down`);
    expect(output()).not.toMatch(/SIG[A-Z]+ again/);
  });

  it('takes SIGINT and SIGTERM before it says it is listening, so a stop sent at once still saves', async () => {
    const preload = fileURLToPath(new URL('./support/listeners-when-listening.mjs', import.meta.url));
    const { child, exited, errors } = jsonStart(['--import', preload]);
    try {
      // Written by the server process (node passes --import on to it), as it writes the line.
      await vi.waitFor(() => expect(errors()).toContain('listeners when listening:'), {
        timeout: 15_000,
        interval: 20,
      });
      expect(errors()).toMatch(/listeners when listening: SIGINT=[1-9]\d* SIGTERM=[1-9]\d*/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('a signal to the whole process group (Ctrl-C, a group kill) reaches the server once', async () => {
    const { child, exited, listening, output } = jsonStart();
    await listening;
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(output().match(/SIGINT: saving/g)).toHaveLength(1);
    expect(output()).not.toMatch(/SIG[A-Z]+ again/);
  });

  it('the process started ends as the server does: by its signal when it is killed', async () => {
    const { exited, listening } = jsonStart();
    const { pid } = await listening;
    process.kill(pid, 'SIGKILL');
    expect(await exited).toBe(null);
  });

  it('when the process started is killed outright, the server shuts down as on SIGTERM', async () => {
    const { child, listening } = jsonStart();
    const { pid, health } = await listening;
    expect((await fetch(health)).status).toBe(200);
    child.kill('SIGKILL');
    await vi.waitFor(() => expect(() => process.kill(pid, 0)).toThrow(), { timeout: 15_000, interval: 50 });
  });
});

describe("the README's background start", () => {
  it('runs as written: waits for the ready file, reaches the mock at its URL, and stops it with kill', () => {
    const block = readmeBlock('### Starting in the background');
    const dir = mkdtempSync(join(tmpdir(), 'scv-background-'));
    // As installed in a project: the bin in node_modules/.bin.
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(BIN, join(dir, 'node_modules', '.bin', 'scv-mock'));
    const script = block.replace(
      '# ... your tests against $SCV_MOCK_URL ...',
      // node rather than curl: the one tool the test can count on.
      `"${process.execPath}" -e "fetch(process.argv[1]).then((r) => r.text()).then(console.log)" "$SCV_MOCK_URL/__admin/health"; echo "URL=$SCV_MOCK_URL"`,
    );
    expect(script).not.toBe(block);
    // wait: the script ends right after kill; the mock needs a moment to save and remove the file.
    const run = spawnSync('bash', ['-c', `${script}\nwait $MOCK_PID\necho "exit=$?"`], { cwd: dir, encoding: 'utf8' });
    expect(run.stdout).toContain('"status":"ok"');
    expect(run.stdout).toMatch(/URL=http:\/\/127\.0\.0\.1:\d+\n/);
    expect(run.stdout).toContain('exit=0');
    expect(existsSync(join(dir, '.scv-mock', 'url'))).toBe(false);
    expect(existsSync(join(dir, '.scv-mock', 'store.json'))).toBe(true);
  });
});

describe('--calls-per-second', () => {
  it('takes a whole number of 1 or more, from the flag or SCV_MOCK_CALLS_PER_SECOND', () => {
    expect(parseStartOptions(['--calls-per-second', '50'], {}).callsPerSecond).toBe(50);
    expect(parseStartOptions([], { SCV_MOCK_CALLS_PER_SECOND: '5' }).callsPerSecond).toBe(5);
    expect(parseStartOptions([], {}).callsPerSecond).toBeUndefined();
    expect(() => parseStartOptions(['--calls-per-second', '0'], {})).toThrow(/would refuse every call/);
    expect(() => parseStartOptions(['--calls-per-second', 'many'], {})).toThrow(/is not a whole number/);
  });
});

describe('a mock started through npm', () => {
  it.each([
    ['npm start', { npm_lifecycle_script: 'node bin/scv-mock.mjs start' }, true],
    ['npx', { npm_lifecycle_script: "'scv-mock'", npm_command: 'exec' }, true],
    ['a package script', { npm_lifecycle_script: 'scv-mock start --quiet && echo done' }, true],
    ['a script that backgrounds it', { npm_lifecycle_script: 'scv-mock start --port 0 & sleep 1' }, false],
    ['a test run that starts it', { npm_lifecycle_script: 'vitest run' }, false],
    ['no npm at all', {}, false],
  ])('%s: stops with npm = %s', (_label, env, expected) => {
    expect(stopsWithNpm(env)).toBe(expected);
  });

  it('stops, saving the store, when the npm start that runs it is killed (npm does not pass SIGTERM on)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-npm-start-'));
    const readyFile = join(dir, 'url');
    const { npm_lifecycle_script: _outer, ...env } = process.env;
    const npm = spawn(
      'npm',
      ['start', '--', '--port', '0', '--in-memory', '--ready-file', readyFile, '--log-format', 'json'],
      { cwd: resolve(BIN, '..', '..'), env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let mockPid: number | undefined;
    try {
      await vi.waitFor(() => expect(existsSync(readyFile)).toBe(true), { timeout: 30_000, interval: 50 });
      mockPid = (JSON.parse(output.split('\n').find((line) => line.includes('"listening"'))!) as { pid: number }).pid;
      expect(mockPid).not.toBe(npm.pid);
      npm.kill('SIGTERM');
      // The mock notices that npm's shell is gone, shuts down as on SIGTERM and removes its ready file.
      await vi.waitFor(() => expect(existsSync(readyFile)).toBe(false), { timeout: 15_000, interval: 50 });
      await vi.waitFor(() => expect(() => process.kill(mockPid!, 0)).toThrow(), { timeout: 15_000, interval: 50 });
    } finally {
      npm.kill('SIGKILL');
      if (mockPid !== undefined) spawnSync('kill', ['-9', String(mockPid)]);
    }
  }, 60_000);
});
