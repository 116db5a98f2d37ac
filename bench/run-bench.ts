/**
 * npm run bench [-- --vs-prism] [--duration <s>] [--connections <n>] [--calls <n>] [--rounds <n>]
 *
 * Loads a real `scv-mock start` process (built JavaScript, JWT auth on, strict rules) with autocannon
 * on loopback and prints requests/s, p50/p99/max latency and the server's RSS for: creating calls,
 * transcripts on an open call, and the seed's five-request voicemail sequence. It runs them on an
 * empty store and on a store preloaded with --calls calls (with transcripts), --rounds times each,
 * alternating, and measures cold start and reset. --vs-prism also runs Prism (fetched with npx) and a
 * bare node:http server on the same create request, in rounds with the mock, for ratios. Each row is the
 * median run; each ratio the median of the rounds' ratios. Results go to bench/results/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { signToken } from '../mock-server/auth/token-signer.ts';
import { cpuMark, stealPercentSince } from './cpu-steal.ts';
import { freePort } from './free-port.ts';
import { processTree } from './process-cpu.ts';
import { GcTrace, type GcFigures } from './gc-trace.ts';
import { median } from './median.ts';
import { pacedLoadInChild, type PacedFigures, type PacedLoadOptions } from './paced-load.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ORG = '00DSM0000000MCK2A2';
const WARM_UP = 4;
const USAGE = `Usage: npm run bench [-- --vs-prism] [--duration 10] [--connections 10] [--calls 100000] [--rounds 3]

Builds dist/, starts the mock from it (scv-mock start on a store file, JWT auth on, strict rules)
and loads it with autocannon on loopback: creates, transcripts and the seed's voicemail sequence, on an
empty store and on one preloaded with --calls calls, --rounds times each, alternating; then p99 at a
paced 1,000 req/s and at half of the create saturation rate, cold start, reset, and the CLI commands'
times. Prints each row (the median run) and writes bench/results/<date>.json and latest.json.

  --vs-prism          also load Prism (fetched with npx) and a bare node:http server with the same
                      create request, in rounds with the mock, and print the ratios and the targets
  --duration <s>      seconds a run (after ${WARM_UP} s of warm-up); default 10
  --connections <n>   autocannon connections; default 10
  --calls <n>         calls in the preloaded store; default 100000
  --rounds <n>        runs of each row (and of each paced rate); default 3`;

const OPTIONS = {
  'vs-prism': { type: 'boolean' },
  duration: { type: 'string', default: '10' },
  connections: { type: 'string', default: '10' },
  calls: { type: 'string', default: '100000' },
  rounds: { type: 'string', default: '3' },
  help: { type: 'boolean', short: 'h' },
} as const;
const flags = (() => {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
})();
if (flags.help === true) {
  console.log(USAGE);
  process.exit(0);
}
/** A whole number of at least `min`, or usage and exit 2: a typo must not run 15 minutes of NaN. */
function countFlag(name: 'duration' | 'connections' | 'calls' | 'rounds', min: number): number {
  const value = Number(flags[name]);
  if (Number.isInteger(value) && value >= min) return value;
  console.error(`--${name} takes a whole number of at least ${min} (got ${flags[name]}).\n\n${USAGE}`);
  process.exit(2);
}
const DURATION = countFlag('duration', 1);
const CONNECTIONS = countFlag('connections', 1);
const PRELOAD = countFlag('calls', 1);
const ROUNDS = countFlag('rounds', 1);

const log = (line: string) => process.stdout.write(`${line}\n`);

/** The resident memory of a process and its descendants (scv-mock start is two processes: heap-relaunch.ts). */
function rssMb(pid: number): number {
  return processTree(pid).reduce((sum, each) => {
    const status = readFileSync(`/proc/${each}/status`, 'utf8');
    return sum + Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  }, 0);
}

interface Target {
  name: string;
  child: ChildProcess;
  root: string;
  startMs: number;
  stop(): Promise<void>;
}

/** Spawns a server and measures the time from spawn to the first 2xx of `probe`. */
async function launch(
  name: string,
  command: string,
  args: string[],
  port: number,
  probe: string,
  init?: RequestInit,
  stdout: 'ignore' | 'pipe' = 'ignore',
): Promise<Target> {
  const started = performance.now();
  // Its own process group, so stopping it also stops what it started (npx starts Prism as a child).
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', stdout, 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const root = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
    try {
      const res = await fetch(`${root}${probe}`, init);
      await res.arrayBuffer();
      if (res.status < 300) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 180_000) throw new Error(`${name} did not answer within 180 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const startMs = performance.now() - started;
  return {
    name,
    child,
    root,
    startMs,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        process.kill(-child.pid!, 'SIGTERM');
      }),
  };
}

/**
 * The mock on a data file, or on a PostgreSQL store when `storeUrl` is given. With `traceGc` node prints
 * each collection on the mock's stdout (--trace-gc-nvp: a line for each, a dozen or so a second under
 * load), read by a GcTrace.
 */
async function launchMock(dataFile: string, storeUrl?: string, traceGc = false): Promise<Target> {
  const port = await freePort();
  return launch(
    storeUrl === undefined ? 'scv-mock' : 'scv-mock on PostgreSQL',
    process.execPath,
    // The quotas (250,000 calls and 256 MB of records per tenant, 10,000 messages per call by default) are
    // not what is measured: the 100k store passes them after a few rounds, and then answers 429.
    [
      ...(traceGc ? ['--trace-gc-nvp'] : []),
      join(ROOT, 'dist/mock-server/cli/run.js'),
      'start',
      '--port',
      String(port),
      ...(storeUrl === undefined ? ['--data', dataFile] : ['--store', storeUrl]),
      '--quiet',
      '--max-calls-per-tenant',
      '10000000',
      '--max-tenant-bytes',
      '16gb',
      '--max-store-bytes',
      '16gb',
      // The transcript run posts every message to one open call.
      '--max-transcripts-per-call',
      '100000000',
      // The paced load opens a connection for each request due while all are busy: a stall of 200 ms at
      // 5,000 req/s passes the default cap of 1,000, and the requests the mock then turned away would
      // count as quick failures instead of as the stall's latency.
      '--max-connections',
      '100000',
    ],
    port,
    '/__admin/health',
    undefined,
    traceGc ? 'pipe' : 'ignore',
  );
}

interface Figures {
  label: string;
  requestsPerSecond: number;
  /** For the sequence: whole five-request sequences per second. */
  sequencesPerSecond?: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  rssMb?: number;
  /** Calls in the store after the run (preloaded plus those the runs created, warm-ups included). */
  callsStored?: number;
  /** Requests answered 2xx, warm-up included. */
  ok: number;
  /** Every round's requests/s (the row shows the median round). */
  roundsRequestsPerSecond?: number[];
}

const createBody = (key: string, startTime = '2024-05-01T10:00:00Z') =>
  JSON.stringify({
    callCenterApiName: 'MyContactCenter',
    vendorCallKey: key,
    to: '999999999',
    from: '+15551234567',
    initiationMethod: 'Inbound',
    startTime,
    participants: [{ participantKey: '+15551234567', type: 'END_USER' }],
  });

/**
 * autocannon's overall rate: each connection sends its share of a second back to back as the second
 * starts (see paced-load.ts), so this is a burst at full speed. Reported next to the paced figure.
 */
async function burstyRate(label: string, options: autocannon.Options, rate: number): Promise<Figures> {
  return load(`${label} at ${rate} req/s, autocannon overallRate (bursts)`, { ...options, overallRate: rate });
}

/** A paced run, with the server's garbage collections during it when they were traced. */
type PacedRun = PacedFigures & { gc?: GcFigures };

/**
 * Latency the way independent callers meet it: requests due at a fixed rate, open loop (paced-load.ts).
 * With `gc`, the server's collections during the measured run are reported beside its tail.
 */
async function fixedRate(label: string, options: Omit<PacedLoadOptions, 'seconds'>, gc?: GcTrace): Promise<PacedRun> {
  const figures: PacedRun = await pacedLoadInChild({ ...options, seconds: DURATION, warmUpSeconds: WARM_UP });
  // The last lines of the run may still be on their way through the pipe.
  if (gc !== undefined) figures.gc = gc.between(figures.startedAt, figures.endedAt + 50);
  log(
    `  ${label} at ${options.rate} req/s paced: p50 ${figures.p50} ms, p90 ${figures.p90}, p99 ${figures.p99}, max ${figures.max}` +
      ` (${figures.achievedRate} req/s answered, ${figures.connections} connections (${figures.connectionsOpened} opened during the run), ${figures.non2xx + figures.errors} not 2xx,` +
      ` p99 from the due time ${figures.p99FromDue} ms (sent late by ${figures.sendLatenessP99} ms at p99), CPU steal ${figures.stealPercent ?? '?'} %)`,
  );
  if (figures.gc !== undefined) {
    const { markCompacts, longestMarkCompactMs, markCompactMs, scavenges, longestScavengeMs, scavengeMs } = figures.gc;
    const { markingStepsMs, backgroundMarkingMs, allocatedBytes } = figures.gc;
    const requests = Math.round(options.rate * DURATION);
    log(
      `    the mock's GC during it: ${markCompacts} mark-compacts (longest pause ${longestMarkCompactMs} ms, ${markCompactMs} ms in all;` +
        ` marking beside them ${markingStepsMs} ms in steps on the main thread, ${backgroundMarkingMs} ms on helper threads),` +
        ` ${scavenges} scavenges (longest ${longestScavengeMs} ms, ${scavengeMs} ms in all);` +
        ` ${(allocatedBytes / requests / 1024).toFixed(1)} KB allocated a request`,
    );
  }
  return figures;
}

/** A paced figure with the p99, CPU steal and (where traced) GC of each of its rounds. */
type PacedRounds = PacedRun & { rounds: Array<{ p99: number; stealPercent: number | null; gc?: GcFigures }> };

/**
 * The round with the median p99 of paced runs, with every round's p99 and steal: one run's tail moves
 * with bursts of CPU steal on a shared machine (one run at 17 % steal had a p99 twice the next one's).
 */
function medianPaced(runs: readonly PacedRun[]): PacedRounds {
  const middle = [...runs].sort((a, b) => a.p99 - b.p99)[Math.floor(runs.length / 2)]!;
  return { ...middle, rounds: runs.map(({ p99, stealPercent, gc }) => ({ p99, stealPercent, gc })) };
}

/** The median wall time of a CLI command that does not serve (the installed bin: dist/, not tsx). */
function timeCommand(args: string[]): number {
  return timeNode([join(ROOT, 'dist/mock-server/cli/run.js'), ...args], `scv-mock ${args.join(' ')}`);
}

/** The median of 5 launches of node with these arguments, spawn to exit, in ms. */
function timeNode(args: string[], what: string, times = 5): number {
  const runs: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
    if (run.status !== 0 && run.status !== 3) throw new Error(`${what} exited ${run.status}`);
    runs.push(performance.now() - started);
  }
  return Math.round(median(runs));
}

async function load(label: string, options: autocannon.Options, perSequence = 1): Promise<Figures> {
  // Warm-up: JIT, connection pools, caches.
  const warmUp = await autocannon({ ...options, duration: WARM_UP });
  const result = await autocannon({ ...options, duration: DURATION });
  const rps = result.requests.average;
  return {
    label,
    requestsPerSecond: Math.round(rps),
    ...(perSequence > 1 ? { sequencesPerSecond: Math.round(rps / perSequence) } : {}),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    ok: warmUp['2xx'] + result['2xx'],
  };
}

type Headers = Record<string, string>;

/** One kind of load: how to prepare a store for it and what autocannon sends. */
interface Scenario {
  name: string;
  /** Requests per whole unit (5 for the voicemail sequence). */
  perSequence: number;
  /** Calls each 2xx adds to the store. */
  callsPerOk: number;
  /** Sets up what the run needs (an open call); returns the calls it created. */
  prepare(api: string, headers: Headers, tag: string): Promise<number>;
  options(target: Target, headers: Headers, tag: string): autocannon.Options;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'create voice call',
    perSequence: 1,
    callsPerOk: 1,
    prepare: async () => 0,
    options: (target, headers, tag) => ({
      url: `${target.root}/telephony/v1/voiceCalls`,
      method: 'POST',
      headers,
      body: createBody(`bench-${tag}-[<id>]`),
      idReplacement: true,
      connections: CONNECTIONS,
    }),
  },
  {
    name: 'transcript on an open call',
    perSequence: 1,
    callsPerOk: 0,
    prepare: async (api, headers, tag) => {
      const res = await fetch(`${api}/voiceCalls`, {
        method: 'POST',
        headers,
        body: createBody(`bench-open-${tag}`, new Date(Date.now() - 3600_000).toISOString()),
      });
      if (res.status !== 201)
        throw new Error(`could not open the call for the transcript run: ${res.status} ${await res.text()}`);
      return 1;
    },
    options: (target, headers, tag) => {
      const now = Date.now();
      return {
        url: `${target.root}/telephony/v1/voiceCalls/bench-open-${tag}/messages`,
        method: 'POST',
        headers,
        body: JSON.stringify({
          participantId: `bench-open-${tag}END_USER`,
          messageId: '[<id>]',
          startTime: now,
          endTime: now + 2000,
          content: 'Benchmark utterance of an ordinary length.',
          senderType: 'END_USER',
        }),
        idReplacement: true,
        connections: CONNECTIONS,
      };
    },
  },
  {
    name: 'voicemail sequence (5 requests)',
    perSequence: 5,
    callsPerOk: 1 / 5,
    prepare: async () => 0,
    options: (target, headers, tag) => {
      let sequence = 0;
      const step = (
        method: string,
        path: (key: string) => string,
        body: (key: string) => unknown,
        first = false,
      ): autocannon.Request => ({
        method: method as autocannon.Request['method'],
        setupRequest: (req, context) => {
          const ctx = context as { key?: string };
          if (first) ctx.key = `bench-vm-${tag}-${++sequence}`;
          return { ...req, path: `/telephony/v1${path(ctx.key!)}`, body: JSON.stringify(body(ctx.key!)), headers };
        },
      });
      return {
        url: target.root,
        connections: CONNECTIONS,
        requests: [
          step(
            'POST',
            () => '/voiceCalls',
            (key) => JSON.parse(createBody(key, '2022-08-02T17:32:28Z')),
            true,
          ),
          step(
            'PATCH',
            (key) => `/voiceCalls/${key}`,
            () => ({ isActiveCall: true, callOrigin: 'Voicemail' }),
          ),
          step(
            'POST',
            (key) => `/voiceCalls/${key}/messages`,
            (key) => ({
              participantId: `${key}END_USER`,
              messageId: 'm1',
              startTime: 1659461552000,
              endTime: 1659461559000,
              content: 'Please call me back.',
              senderType: 'END_USER',
            }),
          ),
          step(
            'PATCH',
            (key) => `/voiceCalls/${key}/omniFlow`,
            () => ({ dialedNumber: '999999999' }),
          ),
          step(
            'PATCH',
            (key) => `/voiceCalls/${key}`,
            () => ({ recordingLocation: 'https://r.example/v.wav', totalRecordingDuration: 20 }),
          ),
        ],
      };
    },
  },
];

async function timeReset(target: Target, token: string): Promise<{ ms: number; removedCalls: number }> {
  const started = performance.now();
  const res = await fetch(`${target.root}/__admin/reset`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
  });
  const body = (await res.json()) as { removed?: { calls?: number } };
  return { ms: Math.round(performance.now() - started), removedCalls: body.removed?.calls ?? 0 };
}

/** The run with the median requests/s, so that a row's figures all come from one run. */
const medianRun = (runs: Figures[]): Figures => ({
  ...[...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(runs.length / 2)]!,
  roundsRequestsPerSecond: runs.map((run) => run.requestsPerSecond),
});

/** The median of the rounds' ratios: each ratio compares two runs made a few seconds apart. */
const pairedRatio = (ours: Figures[], theirs: Figures[]): number =>
  Number(median(ours.map((o, i) => o.requestsPerSecond / theirs[i]!.requestsPerSecond)).toFixed(2));

interface Store {
  label: string;
  target: Target;
  /** The empty store is reset before each run, so it stays (nearly) empty. */
  resetBeforeEachRun: boolean;
  stored: number;
}

/**
 * Each scenario runs ROUNDS times on each store, alternating the stores (and which goes first), so the
 * machine's slow and fast minutes fall on both: the 100k-vs-empty ratio is the median of the rounds'.
 */
async function runScenarios(stores: [Store, Store], token: string, ratios: Record<string, number>): Promise<Figures[]> {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const rows: Figures[] = [];
  for (const scenario of SCENARIOS) {
    const runs: [Figures[], Figures[]] = [[], []];
    for (let round = 1; round <= ROUNDS; round++) {
      const order: Array<0 | 1> = round % 2 === 1 ? [0, 1] : [1, 0];
      for (const which of order) {
        const store = stores[which];
        log(`  ${store.label}: ${scenario.name}, round ${round} of ${ROUNDS}…`);
        if (store.resetBeforeEachRun) {
          await timeReset(store.target, token);
          store.stored = 0;
        }
        const tag = `${which}${round}${scenario.name.length}`;
        store.stored += await scenario.prepare(`${store.target.root}/telephony/v1`, headers, tag);
        const figures = await load(
          `${store.label}: ${scenario.name}`,
          scenario.options(store.target, headers, tag),
          scenario.perSequence,
        );
        store.stored += Math.floor(figures.ok * scenario.callsPerOk);
        runs[which].push({ ...figures, rssMb: rssMb(store.target.child.pid!), callsStored: store.stored });
      }
    }
    rows.push(medianRun(runs[0]), medianRun(runs[1]));
    ratios[`${stores[1].label} vs ${stores[0].label}: ${scenario.name}`] = pairedRatio(runs[1], runs[0]);
  }
  return rows;
}

/** The figures of two loads run at the same time, as one: requests add up, latencies are the worse of the two. */
function together(label: string, parts: Figures[]): Figures {
  const sum = (pick: (f: Figures) => number) => parts.reduce((total, f) => total + pick(f), 0);
  const worst = (pick: (f: Figures) => number) => Math.max(...parts.map(pick));
  return {
    label,
    requestsPerSecond: sum((f) => f.requestsPerSecond),
    p50: worst((f) => f.p50),
    p99: worst((f) => f.p99),
    max: worst((f) => f.max),
    non2xx: sum((f) => f.non2xx),
    errors: sum((f) => f.errors),
    ok: sum((f) => f.ok),
  };
}

/**
 * Creates on PostgreSQL next to one process on a file, round by round: one process on the database, and
 * two replicas of one database loaded at once (half the connections each, so the same concurrency in all).
 * All on one tenant, the case replicas serialise (each write waits for the database to take the one
 * before). PostgreSQL is a throwaway cluster from Debian's binaries, as in the tests.
 */
async function onPostgres(token: string, work: string, ratios: Record<string, number>): Promise<Figures[]> {
  const { createDatabase, startPostgresCluster } = await import('../test/support/postgres-cluster.ts');
  let cluster: Awaited<ReturnType<typeof startPostgresCluster>>;
  try {
    cluster = await startPostgresCluster();
  } catch (error) {
    log(`  skipped: no PostgreSQL server could be started (${(error as Error).message.split('\n')[0]})`);
    return [];
  }
  const targets: Target[] = [];
  try {
    const file = await launchMock(join(work, 'pg-compare.json'));
    const single = await launchMock('', await createDatabase(cluster, 'bench_single'));
    const shared = await createDatabase(cluster, 'bench_replicas');
    const a = await launchMock('', shared);
    const b = await launchMock('', shared);
    targets.push(file, single, a, b);
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    // A second org (each org id is a tenant of its own on loopback): replicas then write without contending.
    const otherToken = await signToken({
      orgId: '00DSM0000000BNC2A2',
      callCenterApiName: 'MyContactCenter',
      ttlSeconds: 6 * 3600,
    });
    const otherHeaders = { ...headers, Authorization: `Bearer ${otherToken}` };
    const creates = (
      target: Target,
      tag: string,
      connections = CONNECTIONS,
      as: Record<string, string> = headers,
    ): autocannon.Options => ({
      url: `${target.root}/telephony/v1/voiceCalls`,
      method: 'POST',
      headers: as,
      body: createBody(`pg-${tag}-[<id>]`),
      idReplacement: true,
      connections,
    });
    const runs: Figures[][] = [[], [], [], []];
    for (let round = 1; round <= ROUNDS; round++) {
      log(`  round ${round} of ${ROUNDS}: file, PostgreSQL, two replicas on PostgreSQL…`);
      for (const target of [file, single, a]) await timeReset(target, token);
      runs[0]!.push(await load('file, one process: create voice call', creates(file, `f${round}`)));
      runs[1]!.push(await load('PostgreSQL, one process: create voice call', creates(single, `s${round}`)));
      const half = Math.max(1, Math.floor(CONNECTIONS / 2));
      const both = await Promise.all([
        load('replica A', creates(a, `a${round}`, half)),
        load('replica B', creates(b, `b${round}`, CONNECTIONS - half)),
      ]);
      runs[2]!.push(together('PostgreSQL, two replicas loaded at once, one tenant: create voice call', both));
      await timeReset(b, otherToken);
      const apart = await Promise.all([
        load('replica A', creates(a, `x${round}`, half)),
        load('replica B', creates(b, `y${round}`, CONNECTIONS - half, otherHeaders)),
      ]);
      runs[3]!.push(together('PostgreSQL, two replicas loaded at once, a tenant each: create voice call', apart));
    }
    ratios['PostgreSQL one process vs file'] = pairedRatio(runs[1]!, runs[0]!);
    ratios['PostgreSQL two replicas, one tenant, vs one process on PostgreSQL'] = pairedRatio(runs[2]!, runs[1]!);
    ratios['PostgreSQL two replicas, a tenant each, vs one process on PostgreSQL'] = pairedRatio(runs[3]!, runs[1]!);
    return runs.map(medianRun);
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
    await cluster.stop();
  }
}

const LIGHTER_BARE_RATIO = 'scv-mock vs bare node:http given a lighter request: create voice call (reported)';

/**
 * The mock, a bare node:http server and Prism on the same create request, round by round; then the bare
 * server on a lighter request, as this benchmark measured it until the evening of 2026-12-03 (reported,
 * not a target).
 */
async function compare(
  token: string,
  work: string,
  ratios: Record<string, number>,
  latency: Record<string, unknown>,
): Promise<Figures[]> {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const mock = await launchMock(join(work, 'compare.json'));
  const barePort = await freePort();
  const bare = await launch(
    'node:http',
    process.execPath,
    [join(ROOT, 'bench/bare-server.mjs'), String(barePort)],
    barePort,
    '/',
  );
  const prismPort = await freePort();
  log('  starting Prism 5 (npx @stoplight/prism-cli; the first run downloads it)…');
  const prism = await launch(
    'prism',
    'npx',
    ['--yes', '@stoplight/prism-cli@5', 'mock', '-p', String(prismPort), '-h', '127.0.0.1', join(ROOT, 'openapi.yaml')],
    prismPort,
    '/voiceCalls',
    {
      method: 'POST',
      headers,
      body: createBody('probe'),
    },
  );
  // All three get the request the mock gets: its Authorization header, and a body that autocannon
  // rebuilds for each request (each create needs its own vendorCallKey). The load generator shares the
  // two cores with the server, so a lighter request is also a lighter client: the bare server given one
  // fixed body without the header answered 1.1-2.2 times as many in rounds on 2026-12-03 (the last row).
  const createRequest = (url: string, round: number): autocannon.Options => ({
    url,
    method: 'POST',
    headers,
    body: createBody(`cmp-${round}-[<id>]`),
    idReplacement: true,
    connections: CONNECTIONS,
  });
  const runs: Figures[][] = [[], [], [], []];
  for (let round = 1; round <= ROUNDS; round++) {
    log(`  round ${round} of ${ROUNDS}: scv-mock, bare node:http, Prism, bare node:http with a lighter request…`);
    // From empty each time, like the empty-store row.
    await timeReset(mock, token);
    runs[0]!.push(
      await load(
        'scv-mock, create voice call (next to the others)',
        createRequest(`${mock.root}/telephony/v1/voiceCalls`, round),
      ),
    );
    runs[1]!.push(
      await load(
        'bare node:http (fixed JSON answer), the same request',
        createRequest(`${bare.root}/telephony/v1/voiceCalls`, round),
      ),
    );
    runs[2]!.push(await load('Prism 5 mock, validating', createRequest(`${prism.root}/voiceCalls`, round)));
    runs[3]!.push(
      await load('bare node:http, a lighter request: one fixed body, no Authorization (reported)', {
        url: `${bare.root}/telephony/v1/voiceCalls`,
        method: 'POST',
        body: createBody('x'),
        headers: { 'Content-Type': 'application/json' },
        connections: CONNECTIONS,
      }),
    );
  }
  // The machine's own floor for the latency targets: the bare server at the same fixed rate.
  const bareRuns: PacedFigures[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    bareRuns.push(
      await fixedRate('bare node:http (fixed JSON answer), the same request', {
        url: `${bare.root}/telephony/v1/voiceCalls`,
        method: 'POST',
        headers,
        body: createBody(`bare-${round}-[<id>]`),
        rate: 1000,
      }),
    );
  }
  latency.bareFixed1000 = medianPaced(bareRuns);
  await Promise.all([mock.stop(), bare.stop(), prism.stop()]);
  ratios['scv-mock vs bare node:http: create voice call'] = pairedRatio(runs[0]!, runs[1]!);
  ratios['scv-mock vs Prism 5: create voice call'] = pairedRatio(runs[0]!, runs[2]!);
  ratios[LIGHTER_BARE_RATIO] = pairedRatio(runs[0]!, runs[3]!);
  return runs.map(medianRun);
}

interface PerformanceTarget {
  what: string;
  measured: string;
  /** null: not measured in this run (e.g. the comparisons without --vs-prism). */
  met: boolean | null;
}

/** Each performance target with the figure this run measured, and whether it was met. */
function targets(extra: Record<string, unknown>, ratios: Record<string, number>): PerformanceTarget[] {
  const latency = extra.latency as {
    fixed1000: PacedFigures;
    halfSaturation: PacedFigures;
    halfSaturationRate: number;
    saturationP99: number;
    burstyAutocannon1000P99: number;
    bareFixed1000?: PacedFigures;
  };
  const cli = extra.cliMs as Record<string, number>;
  const ratio = (name: string, least: number, what: string): PerformanceTarget => {
    const value = ratios[name];
    return {
      what,
      measured: value === undefined ? 'run with --vs-prism' : `${value}×`,
      met: value === undefined ? null : value >= least,
    };
  };
  const under = (what: string, value: number, limit: number, unit = 'ms'): PerformanceTarget => ({
    what,
    measured: `${value} ${unit}`,
    met: value < limit,
  });
  return [
    ratio('scv-mock vs Prism 5: create voice call', 5, 'create throughput at least 5× Prism 5'),
    ratio(
      'scv-mock vs bare node:http: create voice call',
      0.25,
      'create throughput at least 0.25× a bare node:http server, on the same request',
    ),
    {
      what: 'create throughput against a bare node:http server given one fixed body without Authorization (reported)',
      measured: ratios[LIGHTER_BARE_RATIO] === undefined ? 'run with --vs-prism' : `${ratios[LIGHTER_BARE_RATIO]}×`,
      met: null,
    },
    under('p99 under 5 ms at 1,000 req/s offered (paced)', latency.fixed1000.p99, 5),
    under(
      `p99 under 10 ms at half of saturation (${latency.halfSaturationRate} req/s paced)`,
      latency.halfSaturation.p99,
      10,
    ),
    { what: 'p99 saturated (reported)', measured: `${latency.saturationP99} ms`, met: null },
    {
      what: "p99 at 1,000 req/s with autocannon's overallRate, which sends in bursts (reported)",
      measured: `${latency.burstyAutocannon1000P99} ms`,
      met: null,
    },
    {
      what: 'p99 of a bare node:http server at 1,000 req/s paced: the floor of this machine (reported)',
      measured: latency.bareFixed1000 === undefined ? 'run with --vs-prism' : `${latency.bareFixed1000.p99} ms`,
      met: null,
    },
    under('cold start under 1 s, empty store', extra.coldStartMs as number, 1000),
    {
      what: "node's own start (node -e '', spawn to exit): the floor of this machine (reported)",
      measured: `${String(extra.nodeStartMs)} ms`,
      met: null,
    },
    under(`cold start under 2 s with ${PRELOAD} calls stored`, extra.startWithPreloadMs as number, 2000),
    ...Object.entries(cli).map(([command, ms]) => under(`scv-mock ${command} under 300 ms`, ms, 300)),
  ];
}

function table(rows: Figures[]): string {
  const head = '| Run | req/s | sequences/s | p50 ms | p99 ms | max ms | RSS MB | calls stored | non-2xx |';
  const lines = rows.map(
    (r) =>
      `| ${r.label} | ${r.requestsPerSecond} | ${r.sequencesPerSecond ?? ''} | ${r.p50} | ${r.p99} | ${r.max} | ${r.rssMb === undefined ? '' : r.rssMb.toFixed(0)} | ${r.callsStored ?? ''} | ${r.non2xx + r.errors} |`,
  );
  return [head, '|---|---|---|---|---|---|---|---|---|', ...lines].join('\n');
}

async function main(): Promise<void> {
  const benchMark = cpuMark();
  log('building dist/ …');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const token = await signToken({ orgId: ORG, callCenterApiName: 'MyContactCenter', ttlSeconds: 6 * 3600 });
  const work = mkdtempSync(join(tmpdir(), 'scv-bench-'));
  const rows: Figures[] = [];
  const extra: Record<string, unknown> = {};

  log('cold start (spawn to first 2xx, empty store), median of 5…');
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const probe = await launchMock(join(work, `cold-${i}.json`));
    starts.push(probe.startMs);
    await probe.stop();
  }
  const sorted = starts.sort((a, b) => a - b).map(Math.round);
  extra.coldStartMs = sorted[2];
  extra.coldStartRangeMs = [sorted[0], sorted[4]];
  log(`  ${sorted[2]} ms (from ${sorted[0]} to ${sorted[4]})`);
  // The machine's own floor: `scv-mock start` starts node twice (heap-relaunch.ts), and these virtual
  // machines' speed moves within a day (the CLI commands took 69-139 ms at 14:20 on 2026-12-03, 128-217 ms
  // from 18:55 on, on the same code).
  extra.nodeStartMs = timeNode(['-e', ''], "node -e ''");
  log(`  node itself (node -e '', spawn to exit, median of 5): ${String(extra.nodeStartMs)} ms`);
  const ratios: Record<string, number> = {};
  log(`preloading ${PRELOAD} calls with transcripts…`);
  const fullFile = join(work, 'full.json');
  const preloadStarted = performance.now();
  // In its own process: the preload's memory must not weigh on the load generator's garbage collector.
  const preload = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench/preload-store.ts'), fullFile, String(PRELOAD), ORG],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (preload.status !== 0) throw new Error('preload failed');
  extra.preloadSeconds = Number(((performance.now() - preloadStarted) / 1000).toFixed(1));
  // Median of three starts on it; the last one stays up for the runs.
  const fullStarts: number[] = [];
  for (let i = 1; i < 3; i++) {
    const probe = await launchMock(fullFile);
    fullStarts.push(probe.startMs);
    await probe.stop();
  }
  const full = await launchMock(fullFile);
  fullStarts.push(full.startMs);
  extra.startWithPreloadMs = Math.round(median(fullStarts));
  extra.startWithPreloadRangeMs = [Math.round(Math.min(...fullStarts)), Math.round(Math.max(...fullStarts))];
  extra.rssAfterLoadMb = Math.round(rssMb(full.child.pid!));
  log(
    `  start on ${PRELOAD} calls: ${String(extra.startWithPreloadMs)} ms (median of 3, from ` +
      `${fullStarts.map(Math.round).join(', ')} ms), RSS ${String(extra.rssAfterLoadMb)} MB`,
  );
  const empty = await launchMock(join(work, 'empty.json'));
  const stores: [Store, Store] = [
    { label: 'empty store', target: empty, resetBeforeEachRun: true, stored: 0 },
    { label: `${PRELOAD / 1000}k calls stored`, target: full, resetBeforeEachRun: false, stored: PRELOAD },
  ];
  rows.push(...(await runScenarios(stores, token, ratios)));
  await Promise.all([empty.stop(), full.stop()]);
  // Latency on its own: a freshly started mock on an empty store, with no other server running (the
  // preloaded one may still be folding its log into its snapshot, which takes a core for a while).
  log('latency at fixed offered rates (create voice call, a fresh mock on an empty store)…');
  // Traced: a paced run's tail comes in a few clusters, and the largest began at a mark-compact.
  const fresh = await launchMock(join(work, 'latency.json'), undefined, true);
  const freshGc = new GcTrace(fresh.child.stdout!);
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const createOptions = (tag: string): autocannon.Options => ({
    url: `${fresh.root}/telephony/v1/voiceCalls`,
    method: 'POST',
    headers,
    body: createBody(`lat-${tag}-[<id>]`),
    idReplacement: true,
    connections: CONNECTIONS,
  });
  const paced = (tag: string, rate: number) => ({
    url: `${fresh.root}/telephony/v1/voiceCalls`,
    method: 'POST',
    headers,
    body: createBody(`paced-${tag}-[<id>]`),
    rate,
  });
  const saturation = rows.find((row) => row.label === 'empty store: create voice call')!;
  const halfRate = Math.round(saturation.requestsPerSecond / 2);
  const thousands: PacedRun[] = [];
  const halves: PacedRun[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    log(`  paced round ${round} of ${ROUNDS}:`);
    await timeReset(fresh, token);
    thousands.push(await fixedRate('empty store: create voice call', paced(`k${round}`, 1000), freshGc));
    await timeReset(fresh, token);
    halves.push(await fixedRate('empty store: create voice call', paced(`h${round}`, halfRate), freshGc));
  }
  const atThousand = medianPaced(thousands);
  const atHalf = medianPaced(halves);
  log(`  median p99: ${atThousand.p99} ms at 1000 req/s, ${atHalf.p99} ms at ${halfRate} req/s`);
  await timeReset(fresh, token);
  rows.push(await burstyRate('empty store: create voice call', createOptions('b'), 1000));
  const latency: Record<string, unknown> = {
    fixed1000: atThousand,
    halfSaturationRate: halfRate,
    halfSaturation: atHalf,
    saturationP99: saturation.p99,
    burstyAutocannon1000P99: rows.at(-1)!.p99,
  };
  extra.latency = latency;
  extra.reset = await timeReset(fresh, token);
  log(`  reset of the empty store's tenant after its last run: ${JSON.stringify(extra.reset)}`);
  await fresh.stop();

  log('PostgreSQL (--store): one process and two replicas, next to a file…');
  rows.push(...(await onPostgres(token, work, ratios)));

  if (flags['vs-prism'] === true) {
    log('comparisons:');
    rows.push(...(await compare(token, work, ratios, latency)));
  }
  extra.ratios = ratios;
  log('CLI commands that do not serve (median of 5 launches)…');
  extra.cliMs = {
    '--help': timeCommand(['--help']),
    token: timeCommand(['token']),
    'verify --help': timeCommand(['verify', '--help']),
    'start --help': timeCommand(['start', '--help']),
  };
  log(`  ${JSON.stringify(extra.cliMs)}`);
  rmSync(work, { recursive: true, force: true });

  // The whole run's steal: how much of this machine other guests took while it measured.
  extra.cpuStealPercent = stealPercentSince(benchMark);
  const when = new Date().toISOString();
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  log('');
  log(
    `scv-telephony-mock benchmark, ${when}, ${machine}; ${CONNECTIONS} connections, ${DURATION} s per run after a ${WARM_UP} s warm-up; each row the median of ${ROUNDS} rounds`,
  );
  log(table(rows));
  for (const [name, value] of Object.entries(extra)) log(`${name}: ${JSON.stringify(value)}`);
  extra.targets = targets(extra, ratios);
  log('');
  log('performance targets:');
  for (const t of extra.targets as PerformanceTarget[])
    log(`  ${t.met === null ? '–' : t.met ? '✓' : '✗'} ${t.what}: ${t.measured}`);
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(
    {
      when,
      machine,
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      rounds: ROUNDS,
      preloadedCalls: PRELOAD,
      rows,
      ...extra,
    },
    null,
    2,
  );
  writeFileSync(join(dir, 'latest.json'), `${json}\n`);
  writeFileSync(join(dir, `${when.slice(0, 19).replace(/:/g, '')}.json`), `${json}\n`);
  log(`results: bench/results/latest.json`);
}

await main();
