/**
 * Load at a fixed offered rate, open loop: request i is due at start + i/rate whatever the answers do,
 * and its latency counts from when it was due. A pause in the server therefore delays every request
 * due during it, as it delays independent callers (no "coordinated omission").
 *
 * autocannon's overallRate is not this. Each connection sends its share of the second's requests
 * back to back as soon as the second starts, then waits for the next second (autocannon 7,
 * lib/httpClient.js: `reqsMadeThisSecond`, reset by a one-second interval). So "1,000 req/s over 10
 * connections" is a ten-deep burst at full speed for a fraction of each second, and its p99 is close to
 * the saturated p99. The benchmark reports both; the latency targets are judged on this one.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { cpuMark, stealPercentSince } from './cpu-steal.ts';

export interface PacedLoadOptions {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** The body of every request; `[<id>]` in it becomes the request's number (each create needs its own key). */
  body: string;
  rate: number;
  seconds: number;
  /**
   * Seconds of the same load first, not counted, in the same process: the client's own code must be
   * compiled and its connections open before its timing can be trusted.
   */
  warmUpSeconds?: number;
}

export interface PacedFigures {
  offeredRate: number;
  /** Requests answered per second, over the whole run. */
  achievedRate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  /** Most connections open at once (more than a few means requests waited for each other). */
  connections: number;
  /** CPU time the hypervisor took for other guests during the run, percent (null off Linux). */
  stealPercent: number | null;
}

const round2 = (ms: number) => Math.round(ms * 100) / 100;

/**
 * Runs the load in a process of its own, so that the benchmark's own heap (and its garbage collector)
 * cannot delay the requests or their timing; the figures come back as JSON on stdout.
 */
export async function pacedLoadInChild(options: PacedLoadOptions): Promise<PacedFigures> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the paced load exited ${String(code)}`);
  return JSON.parse(out) as PacedFigures;
}

export async function pacedLoad(options: PacedLoadOptions): Promise<PacedFigures> {
  const url = new URL(options.url);
  // Enough sockets that a due request never waits for a free one unless the server is far behind.
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const latencies = new Float64Array(total);
  let done = 0;
  let non2xx = 0;
  let errors = 0;
  let connections = 0;
  const mark = cpuMark();
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const finish = (i: number, due: number) => {
      latencies[i] = performance.now() - due;
      if (++done === total) resolve();
    };
    const send = (i: number, due: number) => {
      const body = options.body.replaceAll('[<id>]', String(i));
      const outgoing = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: options.method,
          agent,
          headers: { ...options.headers, 'Content-Length': Buffer.byteLength(body) },
        },
        (response) => {
          if ((response.statusCode ?? 0) >= 300) non2xx++;
          response.resume();
          response.on('end', () => finish(i, due));
        },
      );
      outgoing.on('error', () => {
        errors++;
        finish(i, due);
      });
      outgoing.end(body);
    };
    let sent = 0;
    const sendDue = () => {
      const now = performance.now();
      for (; sent < total && started + sent * interval <= now; sent++) send(sent, started + sent * interval);
      connections = Math.max(
        connections,
        Object.values(agent.sockets).reduce((n, list) => n + (list?.length ?? 0), 0),
      );
      if (sent < total) setTimeout(sendDue, 0);
    };
    sendDue();
  });
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort();
  const at = (q: number) => round2(latencies[Math.min(total - 1, Math.floor(q * total))] ?? 0);
  return {
    offeredRate: options.rate,
    achievedRate: Math.round(total / seconds),
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: round2(latencies[total - 1] ?? 0),
    non2xx,
    errors,
    connections,
    stealPercent: stealPercentSince(mark),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = JSON.parse(process.argv[2] ?? '{}') as PacedLoadOptions;
  if (options.warmUpSeconds !== undefined) await pacedLoad({ ...options, seconds: options.warmUpSeconds });
  const figures = await pacedLoad(options);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
