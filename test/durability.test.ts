/**
 * What a 2xx means for durability, tested on a real process: every write the mock acknowledged survives
 * SIGKILL in the middle of sustained load (also while the log is being folded into the snapshot), the
 * files load afterwards, and SIGTERM saves everything. A damaged store stops the start, unless
 * --move-corrupt-store moves it aside.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { callListSchema } from '../contracts/admin-schemas.ts';
import { signToken } from '../mock-server/auth/token-signer.ts';
import { runCli, startCli, type RunningMock } from './support/cli-process.ts';
import { startCpuHog } from './support/cpu-hog.ts';
import { inboundCall, message } from './support/mock-harness.ts';

const token = await signToken({ orgId: '00DSM0000000MCK2A2', callCenterApiName: 'MyContactCenter' });
const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };

async function post(mock: RunningMock, path: string, body: unknown): Promise<number> {
  const res = await fetch(`${mock.baseUrl}/telephony/v1${path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Keeps `workers` requests in flight (a create, then a transcript on it) until stopped; records what was acknowledged.
 */
function sustainedLoad(mock: RunningMock, workers: number) {
  const acked = { calls: new Set<string>(), messages: new Set<string>() };
  let stop = false;
  let next = 0;
  const worker = async () => {
    while (!stop) {
      const key = `durable-${next++}`;
      try {
        if ((await post(mock, '/voiceCalls', inboundCall(key))) !== 201) continue;
        acked.calls.add(key);
        if ((await post(mock, `/voiceCalls/${key}/messages`, message(`${key}-m`))) === 202) acked.messages.add(key);
      } catch {
        // The process is gone (nothing in flight was acknowledged), or a fault dropped the connection.
        if (stop) return;
      }
    }
  };
  const running = Array.from({ length: workers }, worker);
  return {
    acked,
    stop: async () => {
      stop = true;
      await Promise.allSettled(running);
    },
  };
}

async function storedCalls(mock: RunningMock): Promise<Map<string, number>> {
  const res = await fetch(`${mock.baseUrl}/__admin/calls?limit=1000000`, { headers });
  const list = callListSchema.parse(await res.json());
  return new Map(list.conversations.map((c) => [c.firstVendorCallKey, c.transcripts.length]));
}

/** Restarts on the store and finds every acknowledged call and message; SIGTERM then folds the log away. */
async function expectEveryAcknowledgedWrite(file: string, acked: { calls: Set<string>; messages: Set<string> }) {
  const again = await startCli(['--data', file, '--quiet']);
  try {
    const stored = await storedCalls(again);
    const lost = [...acked.calls].filter((key) => !stored.has(key));
    expect(lost).toEqual([]);
    const lostMessages = [...acked.messages].filter((key) => (stored.get(key) ?? 0) < 1);
    expect(lostMessages).toEqual([]);
  } finally {
    expect(await again.stop('SIGTERM')).toBe(0);
  }
  // SIGTERM folded the log into the snapshot.
  expect(existsSync(`${file}.wal`)).toBe(false);
  expect(readdirSync(join(file, '..')).filter((f) => f.includes('.tmp-'))).toEqual([]);
}

/** Random faults for a run under load: refusals, errors after the write, lost answers, delays. */
const FAULTS_FILE = join(mkdtempSync(join(tmpdir(), 'scv-kill-faults-')), 'faults.json');
writeFileSync(
  FAULTS_FILE,
  JSON.stringify({
    faults: [
      { action: { status: 503, retryAfter: 0 }, probability: 0.1, seed: 'd-503' },
      { action: { status: 500, applyOperation: true }, probability: 0.05, seed: 'd-500' },
      { action: { drop: true, applyOperation: true }, probability: 0.1, seed: 'd-lost' },
      { action: { delayMs: 1, jitterMs: 10 }, probability: 0.1, seed: 'd-slow' },
    ],
  }),
);

describe('durability', () => {
  it.each([
    ['while writing the log', [], false],
    ['while the log is folded into the snapshot again and again', ['--compact-after', '32kb'], false],
    // The same on a machine as busy as a shared CI runner: a busy process on every core beside it.
    ['while writing the log, with a busy process on every core', [], true],
    // Faults decide answers, never what is stored: what was acknowledged is still all there.
    ['while writing the log, with random faults on (--faults)', ['--faults', FAULTS_FILE], false],
  ] as const)(
    'SIGKILL under load %s: every acknowledged write is there after a restart',
    async (_label, extra, busy) => {
      const hog = busy ? startCpuHog() : undefined;
      try {
        const file = join(mkdtempSync(join(tmpdir(), 'scv-kill-')), 'store.json');
        const mock = await startCli(['--data', file, '--quiet', ...extra]);
        const load = sustainedLoad(mock, 16);
        // Kill once enough writes were acknowledged (on a busy machine that takes longer), with 16 more in flight.
        await vi.waitFor(() => expect(load.acked.calls.size).toBeGreaterThan(100), { timeout: 60_000, interval: 20 });
        expect(await mock.stop('SIGKILL')).toBe(null); // killed, not exited
        await load.stop();
        await expectEveryAcknowledgedWrite(file, load.acked);
      } finally {
        await hog?.stop();
      }
    },
    120_000,
  );

  it('a write the disk cannot take is refused with 503 and leaves the log ending with a whole line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scv-full-')), 'store.json');
    // 96 KiB of log: about sixty calls, then every write fails part-way.
    const mock = await startCli(['--data', file, '--quiet'], undefined, { fileSizeKb: 96 });
    const acked: string[] = [];
    let refused = 0;
    for (let i = 0; i < 400 && refused < 5; i++) {
      const status = await post(mock, '/voiceCalls', inboundCall(`full-${i}`));
      if (status === 201) acked.push(`full-${i}`);
      else {
        expect(status).toBe(503);
        refused += 1;
      }
    }
    expect(refused).toBe(5);
    expect(acked.length).toBeGreaterThan(20);
    expect(await mock.stop('SIGKILL')).toBe(null);
    const log = readFileSync(`${file}.wal`, 'utf8');
    expect(log.endsWith('\n')).toBe(true);
    expect(log.trimEnd().split('\n').length).toBe(acked.length);

    // Room again: every acknowledged call is there, and new writes are read back after the next start.
    const again = await startCli(['--data', file, '--quiet']);
    try {
      expect(await post(again, '/voiceCalls', inboundCall('after-room'))).toBe(201);
      const stored = await storedCalls(again);
      expect(acked.filter((key) => !stored.has(key))).toEqual([]);
      expect(stored.has('after-room')).toBe(true);
    } finally {
      await again.stop('SIGKILL');
    }
    const third = await startCli(['--data', file, '--quiet']);
    try {
      expect((await storedCalls(third)).size).toBe(acked.length + 1);
    } finally {
      expect(await third.stop('SIGTERM')).toBe(0);
    }
  }, 60_000);

  it('a fold of the log that the disk cannot take does not stop the mock: it warns, answers on, and loses nothing', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scv-fold-')), 'store.json');
    // 48 KiB per file: the log fits, but the snapshot of everything soon does not.
    const mock = await startCli(['--data', file, '--quiet', '--compact-after', '8kb'], undefined, { fileSizeKb: 48 });
    const acked: string[] = [];
    let failedFold = false;
    try {
      for (let i = 0; i < 400 && !failedFold; i++) {
        const status = await post(mock, '/voiceCalls', inboundCall(`fold-${i}`));
        if (status === 201) acked.push(`fold-${i}`);
        failedFold = mock.output().includes("folding the store's log into");
      }
      expect(failedFold).toBe(true);
      expect(mock.output()).toMatch(/the log keeps every write\. Trying again in \d+ s\./);
      // Still up, still answering (while its log has room).
      expect((await fetch(`${mock.baseUrl}/__admin/health`)).status).toBe(200);
      expect(await post(mock, '/voiceCalls', inboundCall('after-fold'))).toBe(201);
      acked.push('after-fold');
    } finally {
      expect(await mock.stop('SIGKILL')).toBe(null);
    }
    const again = await startCli(['--data', file, '--quiet']);
    try {
      const stored = await storedCalls(again);
      expect(acked.filter((key) => !stored.has(key))).toEqual([]);
    } finally {
      await again.stop('SIGTERM');
    }
  });

  it('a damaged store stops the start with the file named; --move-corrupt-store moves it aside and starts empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-corrupt-'));
    const file = join(dir, 'store.json');
    writeFileSync(file, '{"format":"scv-telephony-mock/store@1","seq":1,"meta":null,\n"calls":[\n{"id":');
    const refused = await runCli(['start', '--data', file, '--port', '0']);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain(`${file}: is not valid JSON`);
    expect(refused.stdout + refused.stderr).toContain('--move-corrupt-store');

    const mock = await startCli(['--data', file, '--move-corrupt-store']);
    try {
      expect(mock.output()).toMatch(/moved aside: .*store\.json\.corrupt-/);
      expect(mock.output()).toMatch(/store: +file .*\(0 calls/);
      expect(await post(mock, '/voiceCalls', inboundCall('fresh'))).toBe(201);
    } finally {
      await mock.stop();
    }
    expect(readdirSync(dir).some((f) => f.startsWith('store.json.corrupt-'))).toBe(true);
  });

  it('a log line of the wrong shape stops the start with its line (no crash), and --move-corrupt-store moves it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-shape-'));
    const file = join(dir, 'store.json');
    writeFileSync(
      `${file}.wal`,
      `${JSON.stringify({ seq: 1, m: [{ op: 'put', collection: 'calls', record: null }] })}\n`,
    );
    const refused = await runCli(['start', '--data', file, '--port', '0']);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain(`${file}.wal: line 1 holds a change of the wrong shape`);
    expect(refused.stderr).not.toContain('TypeError');
    const mock = await startCli(['--data', file, '--move-corrupt-store']);
    try {
      expect(mock.output()).toMatch(/moved aside: .*store\.json\.wal\.corrupt-/);
    } finally {
      await mock.stop();
    }
  });
});

describe('one writer per data file', () => {
  it('a second process on the same file refuses to start, naming the one that holds it; a killed holder is taken over', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scv-lock-')), 'store.json');
    const first = await startCli(['--data', file, '--quiet']);
    try {
      expect(await post(first, '/voiceCalls', inboundCall('locked-1'))).toBe(201);
      const second = await runCli(['start', '--data', file, '--port', '0', '--quiet']);
      expect(second.code).toBe(1);
      expect(second.stdout + second.stderr).toMatch(
        new RegExp(`store\\.json is in use by another mock \\(process ${first.pid}, since .*\\)\\. .*--in-memory`),
      );
      // The first one never noticed.
      expect(await post(first, '/voiceCalls', inboundCall('locked-2'))).toBe(201);
    } finally {
      expect(await first.stop('SIGKILL')).toBe(null);
    }
    // Its lock is left behind, from a process that is gone: the next start takes it over.
    expect(existsSync(`${file}.lock`)).toBe(true);
    const next = await startCli(['--data', file, '--quiet']);
    try {
      expect([...(await storedCalls(next)).keys()].sort()).toEqual(['locked-1', 'locked-2']);
    } finally {
      expect(await next.stop('SIGTERM')).toBe(0);
    }
    expect(existsSync(`${file}.lock`)).toBe(false);
  }, 60_000);
});
