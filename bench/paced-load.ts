/**
 * Load at a fixed offered rate, open loop: request i is due at start + i/rate whatever the answers do.
 * A request never waits for an earlier answer: it takes a free connection or opens one. A pause in the
 * server therefore delays every request sent during it, as it delays independent callers (no
 * "coordinated omission").
 *
 * autocannon's overallRate is not this. Each connection sends its share of the second's requests
 * back to back as soon as the second starts, then waits for the next second (autocannon 7,
 * lib/httpClient.js: `reqsMadeThisSecond`, reset by a one-second interval). So "1,000 req/s over 10
 * connections" is a ten-deep burst at full speed for a fraction of each second, and its p99 is close to
 * the saturated p99. The benchmark reports both; the latency targets are judged on this one.
 *
 * A latency counts, as autocannon's do, from when the request was written to when its answer was read.
 * The generator's timers fire on whole milliseconds, so it writes a request up to a millisecond or two
 * after it fell due (more when it is starved of CPU); counting from the due time charged that to the
 * server (a bare node:http server's p99 at 1,000 req/s was 2.3 ms from due, of which 1.4 ms was the
 * generator's lateness). Both are reported: p99FromDue, and how late the generator sent (sendLatenessP99).
 * The requests go over raw keep-alive sockets (raw-http-client.ts).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { cpuMark, stealPercentSince } from './cpu-steal.ts';
import { RawConnection } from './raw-http-client.ts';

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
  /** Connections in the pool at the end: the warm-up's, and those this run added. */
  connections: number;
  /** Connections this run opened: one more each time a request fell due while every open one was busy. */
  connectionsOpened: number;
  /** The p99 counted from when each request fell due rather than when it was written. */
  p99FromDue: number;
  /**
   * How late the generator itself sent, p99 in ms (its timers fire on whole milliseconds, and it shares
   * the CPU with the server): the part of each latency figure that is the instrument's, not the server's.
   */
  sendLatenessP99: number;
  /** CPU time the hypervisor took for other guests during the run, percent (null off Linux). */
  stealPercent: number | null;
  /** When the measured run began and ended (epoch ms): the window to read the server's own events in. */
  startedAt: number;
  endedAt: number;
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

/** The request's bytes: a head and body built once, with the request's number put in the body. */
function requestMaker(options: PacedLoadOptions): (i: number) => string {
  const url = new URL(options.url);
  const [before, after] = ((): [string, string | undefined] => {
    const parts = options.body.split('[<id>]');
    return [parts[0]!, parts.length > 1 ? parts.slice(1).join('[<id>]') : undefined];
  })();
  let head = `${options.method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  for (const [name, value] of Object.entries(options.headers)) {
    // Both are written here, once each.
    if (!/^(host|content-length)$/i.test(name)) head += `${name}: ${value}\r\n`;
  }
  // The body goes out as Latin-1 bytes: UTF-8 first, so that a non-ASCII body is sent as its UTF-8.
  const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
  return (i) => {
    const body = latin1(after === undefined ? before : `${before}${i}${after}`);
    return `${head}Content-Length: ${body.length}\r\n\r\n${body}`;
  };
}

/**
 * One run. `connections` are the keep-alive connections to start with (the warm-up's); the run adds the
 * ones it opens to it and leaves them all open, so that the caller decides when to close them. Its
 * requests are numbered from `firstId` (after the warm-up's, so that no create repeats a key).
 */
export async function pacedLoad(
  options: PacedLoadOptions,
  connections: RawConnection[] = [],
  firstId = 0,
): Promise<PacedFigures> {
  const url = new URL(options.url);
  const port = Number(url.port || 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const requestOf = requestMaker(options);
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const latencies = new Float64Array(total);
  const fromDue = new Float64Array(total);
  const lateness = new Float64Array(total);
  // A free connection takes the next due request; a new one opens only when none is free, so the
  // count says how far behind the server fell.
  const free = connections.filter((connection) => connection.open);
  const before = connections.length;
  let done = 0;
  let non2xx = 0;
  let errors = 0;
  const mark = cpuMark();
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const send = (i: number, due: number) => {
      let connection = free.pop();
      while (connection !== undefined && !connection.open) connection = free.pop();
      if (connection === undefined) {
        connection = new RawConnection(port, host);
        connections.push(connection);
      }
      const used = connection;
      const request = requestOf(firstId + i);
      const sent = performance.now();
      lateness[i] = sent - due;
      used.send(request, ({ status }) => {
        const answered = performance.now();
        latencies[i] = answered - sent;
        fromDue[i] = answered - due;
        if (status === 0) errors++;
        else if (status >= 300) non2xx++;
        if (used.open) free.push(used);
        if (++done === total) resolve();
      });
    };
    let sent = 0;
    const sendDue = () => {
      const now = performance.now();
      for (; sent < total && started + sent * interval <= now; sent++) send(sent, started + sent * interval);
      if (sent < total) setTimeout(sendDue, 0);
    };
    sendDue();
  });
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  fromDue.sort();
  lateness.sort();
  const at = (values: Float64Array, q: number) => round2(values[Math.min(total - 1, Math.floor(q * total))] ?? 0);
  return {
    offeredRate: options.rate,
    achievedRate: Math.round(total / seconds),
    p50: at(latencies, 0.5),
    p90: at(latencies, 0.9),
    p99: at(latencies, 0.99),
    max: round2(latencies[total - 1] ?? 0),
    non2xx,
    errors,
    connections: connections.length,
    connectionsOpened: connections.length - before,
    p99FromDue: at(fromDue, 0.99),
    sendLatenessP99: at(lateness, 0.99),
    stealPercent: stealPercentSince(mark),
    startedAt: Math.round(performance.timeOrigin + started),
    endedAt: Math.round(performance.timeOrigin + started + seconds * 1000),
  };
}

/**
 * The warm-up (when `options.warmUpSeconds` is set), then the measured run on the connections the
 * warm-up left; every connection is closed at the end. Started with none, a run's first 100 ms opened a
 * hundred or more while requests kept falling due, and the mock was closing the warm-up's at the same
 * time; those requests waited (at 3,141 req/s, 70-250 of them, 0.2-0.8 %, answered in over 10 ms for
 * that alone). The warm-up's last second is a settling second: before it, the connections opened only
 * for the backlog of a cold start (idle for the past second) are closed, so that the mock has handled
 * their closing, and has its connection slots back, before the measured run starts. The phases number
 * their requests on from each other's.
 */
export async function warmedPacedLoad(options: PacedLoadOptions): Promise<PacedFigures> {
  let connections: RawConnection[] = [];
  let sent = 0;
  const phase = async (seconds: number) => {
    const figures = await pacedLoad({ ...options, seconds }, connections, sent);
    sent += Math.round(options.rate * seconds);
    return figures;
  };
  try {
    if (options.warmUpSeconds !== undefined) {
      const settle = Math.min(1, options.warmUpSeconds / 2);
      await phase(options.warmUpSeconds - settle);
      const recent = performance.now() - 1000;
      for (const connection of connections) if (connection.lastSent < recent) connection.close();
      connections = connections.filter((connection) => connection.lastSent >= recent);
      await phase(settle);
    }
    return await phase(options.seconds);
  } finally {
    for (const connection of connections) connection.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = JSON.parse(process.argv[2] ?? '{}') as PacedLoadOptions;
  const figures = await warmedPacedLoad(options);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
