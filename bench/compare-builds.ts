/**
 * npm run bench:compare -- --base <git revision> [--rounds <n>] [--duration <s>] [--connections <n>]
 *                           [--paced <req/s>] [--node-flags <flags>] [--base-node-flags <flags>]
 *                           [--args <mock flags>] [--base-args <mock flags>] [--file]
 *
 * Did a change make the request path faster? On a shared machine whose speed drifts by a third within
 * minutes, two benchmark runs taken apart cannot say. This builds the base revision in a temporary git
 * worktree, builds the checkout, starts both side by side (in memory, or with --file each on a store file)
 * and loads them in turns with autocannon, creating calls, so both see the same machine. It prints each
 * round and the median ratio, and each mock's CPU time per request (process-cpu.ts): its own cost, a
 * cross-check on the req/s ratio.
 * With --paced it compares the latency tail instead: creates due at a fixed rate (paced-load.ts), the
 * p99 of each run. The node flags let one build be compared with itself under other V8 settings, and
 * the mock flags under other options of its own (`--args="--journal-size 0"`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { signToken } from '../mock-server/auth/token-signer.ts';
import { freePort } from './free-port.ts';
import { median } from './median.ts';
import { pacedLoadInChild } from './paced-load.ts';
import { treeCpuMs } from './process-cpu.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `Usage: npm run bench:compare -- --base <git revision> [--rounds 6] [--duration 5] [--connections 10]
                           [--paced <req/s>] [--node-flags="<flags>"] [--base-node-flags="<flags>"]
                           [--args="<mock flags>"] [--base-args="<mock flags>"] [--file] [--reset]

Builds <git revision> and this checkout, starts both mocks in memory, and loads them in turns with
creates (autocannon, one run of --duration seconds each per round, the order alternating). Prints the
requests per second of every round and the median of the rounds' ratios (checkout / base), and each
mock's CPU time per request (user and system, all its threads; Linux): its own cost, whatever share
of the cores the load generator took, as a cross-check on the req/s ratio.

  --paced <req/s>            compare the p99 latency at this fixed offered rate instead (open loop,
                             bench/paced-load.ts; 2 s of warm-up a run), with each run's CPU steal
  --node-flags="<flags>"     node flags for the checkout's mock (e.g. --node-flags=--max-semi-space-size=4;
                             with "=", since the value starts with a dash)
  --base-node-flags="<flags>" node flags for the base's mock; --base HEAD with flags on one side
                             compares two V8 settings on one build
  --args="<mock flags>"      more flags for the checkout's scv-mock start (e.g. --args="--journal-size 0")
  --base-args="<mock flags>" more flags for the base's scv-mock start
  --file                     each mock on a store file of its own (in a temporary folder) instead of in
                             memory: the path npm run bench measures, with the log's writes and folds
  --reset                    empty each mock's store before each of its runs (POST /__admin/reset), as
                             npm run bench does before each paced run; without it every create of the
                             comparison stays stored, and the heap grows from round to round`;

const OPTIONS = {
  base: { type: 'string' },
  rounds: { type: 'string', default: '6' },
  duration: { type: 'string', default: '5' },
  connections: { type: 'string', default: '10' },
  paced: { type: 'string' },
  'node-flags': { type: 'string', default: '' },
  'base-node-flags': { type: 'string', default: '' },
  args: { type: 'string', default: '' },
  'base-args': { type: 'string', default: '' },
  file: { type: 'boolean' },
  reset: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
const parsed = (() => {
  try {
    return parseArgs({ options: OPTIONS });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
})();
const flags = parsed.values;
if (flags.help === true) {
  console.log(USAGE);
  process.exit(0);
}
if (flags.base === undefined) {
  console.error(`--base is required: the git revision to compare with (e.g. main, HEAD~3).\n\n${USAGE}`);
  process.exit(2);
}
const ROUNDS = Number(flags.rounds);
const DURATION = Number(flags.duration);
const CONNECTIONS = Number(flags.connections);
const PACED = flags.paced === undefined ? undefined : Number(flags.paced);
if (PACED !== undefined && !(PACED > 0)) {
  console.error(`--paced takes a rate in requests per second, such as 1000 (got ${flags.paced}).\n\n${USAGE}`);
  process.exit(2);
}
const flagList = (value: string) => value.split(/\s+/).filter((flag) => flag !== '');

/** Builds `revision` in a worktree of its own (sharing this checkout's node_modules); returns its folder. */
function buildRevision(revision: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'scv-mock-base-'));
  console.log(`building ${revision} in ${folder} …`);
  execFileSync('git', ['worktree', 'add', '--detach', '--force', folder, revision], { cwd: ROOT, stdio: 'ignore' });
  symlinkSync(join(ROOT, 'node_modules'), join(folder, 'node_modules'));
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: folder, stdio: 'inherit' });
  return folder;
}

interface Mock {
  url: string;
  child: ChildProcess;
}

/** Where the mocks keep their store files with --file (removed at the end). */
const storeFolder = flags.file === true ? mkdtempSync(join(tmpdir(), 'scv-mock-compare-')) : null;

async function startMock(folder: string, flagsOfNode: string[], flagsOfMock: string[]): Promise<Mock> {
  const port = await freePort();
  const entry = join(folder, 'dist/mock-server/cli/run.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: the build of ${folder} failed`);
  // The quotas are not what is measured: lifted, so a round never meets a 429.
  const args = [
    'start',
    '--port',
    String(port),
    ...(storeFolder === null ? ['--in-memory'] : ['--data', join(storeFolder, `store-${port}.json`)]),
    '--quiet',
    '--max-calls-per-tenant',
    '100000000',
    // A stall of 200 ms at 5,000 req/s paced leaves a thousand requests waiting, each on a connection of
    // its own (the generator never queues behind an answer); at the default cap of 1,000 the mock closed
    // the rest and the run failed instead of reporting the stall's p99.
    '--max-connections',
    '100000',
    ...flagsOfMock,
  ];
  const child = spawn(
    process.execPath,
    [...flagsOfNode, entry, ...args, '--max-tenant-bytes', '16gb', '--max-store-bytes', '16gb'],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 50) {
    if (child.exitCode !== null)
      throw new Error(`the mock of ${folder} exited (${child.exitCode}): does it take ${args.join(' ')}?`);
    try {
      if ((await fetch(`${url}/__admin/health`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    if (waited > 60_000) throw new Error(`the mock of ${folder} did not answer within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const token = await signToken({ orgId: '00DSM0000000MCK2A2', callCenterApiName: 'MyContactCenter' });
let created = 0;
/** A create's body; each needs its own vendorCallKey (`[<id>]` in it is numbered per request by the paced load). */
const createBody = (vendorCallKey = `compare-${created++}`) =>
  JSON.stringify({
    callCenterApiName: 'MyContactCenter',
    vendorCallKey,
    to: '999999999',
    from: '+15551234567',
    initiationMethod: 'Inbound',
    startTime: '2024-05-01T10:00:00Z',
    participants: [{ participantKey: '+15551234567', type: 'END_USER' }],
  });

interface ThroughputRun {
  requestsPerSecond: number;
  /** The mock's CPU time per answered request, µs (null off Linux). */
  cpuMicros: number | null;
}

/** Empties a mock's store when --reset asks for it. */
async function resetIfAsked(url: string): Promise<void> {
  if (flags.reset !== true) return;
  const res = await fetch(`${url}/__admin/reset`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}/__admin/reset answered ${res.status}`);
}

async function load(mock: Mock, seconds: number): Promise<ThroughputRun> {
  await resetIfAsked(mock.url);
  const cpuBefore = treeCpuMs(mock.child.pid!);
  const result = await autocannon({
    url: `${mock.url}/telephony/v1/voiceCalls`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: createBody() }),
      },
    ],
  });
  const cpuAfter = treeCpuMs(mock.child.pid!);
  if (result.non2xx > 0) throw new Error(`${mock.url} answered ${result.non2xx} requests with other than 2xx`);
  return {
    requestsPerSecond: Math.round(result.requests.average),
    cpuMicros:
      cpuBefore === null || cpuAfter === null || result.requests.total === 0
        ? null
        : Math.round(((cpuAfter - cpuBefore) * 1000) / result.requests.total),
  };
}

interface PacedRun {
  p99: number;
  steal: number | null;
  /** How late the generator sent, p99 (its own share of the p99). */
  late: number;
  /** Requests whose connection failed or closed before an answer: counted and shown, not fatal. */
  failed: number;
}

/** One paced run: the p99 of creates due at PACED req/s, with the CPU steal it ran under. */
async function pacedRun(url: string, tag: string): Promise<PacedRun> {
  await resetIfAsked(url);
  const figures = await pacedLoadInChild({
    url: `${url}/telephony/v1/voiceCalls`,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: createBody(`${tag}-[<id>]`),
    rate: PACED!,
    seconds: DURATION,
    warmUpSeconds: 2,
  });
  if (figures.non2xx > 0) throw new Error(`${url} answered ${figures.non2xx} requests with other than 2xx`);
  return { p99: figures.p99, steal: figures.stealPercent, late: figures.sendLatenessP99, failed: figures.errors };
}

/** Which side goes first in a round: they alternate, so neither always meets the other's leftovers. */
const orderOf = (round: number) =>
  round % 2 === 1 ? (['base', 'checkout'] as const) : (['checkout', 'base'] as const);

const pacedNotes = (run: PacedRun) =>
  `steal ${run.steal ?? '?'} %, sent late ${run.late} ms` +
  (run.failed > 0 ? `, ${run.failed} connections failed` : '');

async function comparePaced(baseUrl: string, checkoutUrl: string): Promise<void> {
  const runs = { base: [] as PacedRun[], checkout: [] as PacedRun[] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const side of orderOf(round))
      runs[side].push(await pacedRun(side === 'base' ? baseUrl : checkoutUrl, `paced-${side}-${round}`));
    const [b, c] = [runs.base[round - 1]!, runs.checkout[round - 1]!];
    console.log(
      `round ${round} of ${ROUNDS}: p99 ${flags.base} ${b.p99} ms (${pacedNotes(b)}), checkout ${c.p99} ms (${pacedNotes(c)})`,
    );
  }
  const p99s = (side: 'base' | 'checkout') => runs[side].map((run) => run.p99);
  const ratios = runs.checkout.map((run, i) => run.p99 / runs.base[i]!.p99);
  console.log(
    `\ncreates at ${PACED} req/s paced, ${DURATION} s a run: p99 ${flags.base} median ${median(p99s('base'))} ms, ` +
      `checkout median ${median(p99s('checkout'))} ms; checkout / ${flags.base}: median ${median(ratios).toFixed(2)}× ` +
      `(rounds ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×; below 1 is better)`,
  );
}

const cpuText = (micros: number | null) => (micros === null ? '' : `, ${micros} µs CPU a request`);

async function compareThroughput(base: Mock, checkout: Mock): Promise<void> {
  const runs = { base: [] as ThroughputRun[], checkout: [] as ThroughputRun[] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const side of orderOf(round)) runs[side].push(await load(side === 'base' ? base : checkout, DURATION));
    const [b, c] = [runs.base[round - 1]!, runs.checkout[round - 1]!];
    console.log(
      `round ${round} of ${ROUNDS}: ${flags.base} ${b.requestsPerSecond} req/s${cpuText(b.cpuMicros)}, ` +
        `checkout ${c.requestsPerSecond} req/s${cpuText(c.cpuMicros)} (${(c.requestsPerSecond / b.requestsPerSecond).toFixed(2)}×)`,
    );
  }
  const rates = (side: 'base' | 'checkout') => runs[side].map((run) => run.requestsPerSecond);
  const ratios = runs.checkout.map((run, i) => run.requestsPerSecond / runs.base[i]!.requestsPerSecond);
  console.log(
    `\ncreates, ${CONNECTIONS} connections, ${DURATION} s a run: ${flags.base} median ${median(rates('base'))} req/s, ` +
      `checkout median ${median(rates('checkout'))} req/s; checkout / ${flags.base}: median ${median(ratios).toFixed(2)}× ` +
      `(rounds ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×)`,
  );
  const cpu = (side: 'base' | 'checkout') => runs[side].map((run) => run.cpuMicros);
  const [baseCpu, checkoutCpu] = [cpu('base'), cpu('checkout')];
  if (baseCpu.every((micros) => micros !== null) && checkoutCpu.every((micros) => micros !== null)) {
    const cpuRatios = checkoutCpu.map((micros, i) => micros / baseCpu[i]!);
    console.log(
      `CPU a request (the mock's process, all threads): ${flags.base} median ${median(baseCpu)} µs, checkout median ` +
        `${median(checkoutCpu)} µs; checkout / ${flags.base}: median ${median(cpuRatios).toFixed(2)}× ` +
        `(rounds ${Math.min(...cpuRatios).toFixed(2)}–${Math.max(...cpuRatios).toFixed(2)}×; below 1 is cheaper)`,
    );
  }
}

const baseFolder = buildRevision(flags.base);
const mocks: ChildProcess[] = [];
try {
  console.log('building this checkout …');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const base = await startMock(baseFolder, flagList(flags['base-node-flags']), flagList(flags['base-args']));
  const checkout = await startMock(ROOT, flagList(flags['node-flags']), flagList(flags.args));
  mocks.push(base.child, checkout.child);
  console.log('warming both up (2 s each) …');
  await load(base, 2);
  await load(checkout, 2);
  if (PACED !== undefined) await comparePaced(base.url, checkout.url);
  else await compareThroughput(base, checkout);
} finally {
  for (const child of mocks) child.kill('SIGTERM');
  // The link first, so that nothing removing the worktree can reach into this checkout's node_modules.
  unlinkSync(join(baseFolder, 'node_modules'));
  execFileSync('git', ['worktree', 'remove', '--force', baseFolder], { cwd: ROOT, stdio: 'ignore' });
  rmSync(baseFolder, { recursive: true, force: true });
  if (storeFolder !== null) rmSync(storeFolder, { recursive: true, force: true });
}
