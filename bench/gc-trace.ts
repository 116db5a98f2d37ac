/**
 * The garbage collector's work in a server the benchmark runs, read from the lines that node's
 * --trace-gc-nvp prints on its stdout (one name=value line per collection). A paced run's tail at half of
 * saturation comes in a few clusters a run, and on 2026-12-02 the largest of them began at a
 * mark-compact: its pause is short (5–20 ms), but before it the main thread marks in steps between
 * requests (20–40 ms in all) while helper threads mark beside it (100–300 ms of their time, on a machine
 * of two cores that the load generator shares), and the queue that builds then takes 100–300 ms to drain.
 * So the figures give, besides the pauses, the marking done beside them and the bytes the server
 * allocated (what sets how often it collects).
 */
import type { Readable } from 'node:stream';

export interface GcEvent {
  /** A scavenge (the young generation) or a mark-compact (the whole heap). */
  kind: 'scavenge' | 'mark-compact';
  /** The pause on the main thread, ms. */
  pauseMs: number;
  /** Bytes allocated since the collection before (0 when V8's count went down, as it can for a mark-compact). */
  allocatedBytes: number;
  /** Marking on the main thread in steps between its tasks, before the pause (mark-compacts), ms. */
  incrementalMs: number;
  /** Marking on helper threads, before and during the pause (mark-compacts), ms of their time. */
  backgroundMarkMs: number;
}

export interface GcFigures {
  scavenges: number;
  scavengeMs: number;
  longestScavengeMs: number;
  markCompacts: number;
  markCompactMs: number;
  longestMarkCompactMs: number;
  /** Main-thread marking steps of the mark-compacts, ms in all. */
  markingStepsMs: number;
  /** Helper-thread marking of the mark-compacts, ms in all. */
  backgroundMarkingMs: number;
  /** Bytes allocated in all. */
  allocatedBytes: number;
}

/** The name=value fields read from an nvp line. */
const FIELDS = {
  pause: /(?:^|\s)pause=([\d.]+)/,
  allocated: /(?:^|\s)allocated=([\d.]+)/,
  incremental: /(?:^|\s)incremental=([\d.]+)/,
  backgroundMark: /(?:^|\s)background\.mark=([\d.]+)/,
};

/** A field of an nvp line, as a number; undefined when the line has no such field. */
function field(line: string, name: keyof typeof FIELDS): number | undefined {
  const match = FIELDS[name].exec(line);
  return match === null ? undefined : Number(match[1]);
}

/**
 * One --trace-gc-nvp line, e.g. `[12:0x5d]  1729 ms: pause=8.2 mutator=30.0 gc=mc … incremental=20.6 …
 * background.mark=63.8 … allocated=2021224 …`, as an event; null for any other line (and for a minor
 * mark-compact, which node 20 does not run unless told to).
 */
export function gcEventOf(line: string): GcEvent | null {
  const kind = /\d ms: pause=[\d.]+ .*?\sgc=(s|mc)\s/.exec(line)?.[1];
  if (kind === undefined) return null;
  const allocated = field(line, 'allocated') ?? 0;
  return {
    kind: kind === 's' ? 'scavenge' : 'mark-compact',
    pauseMs: field(line, 'pause') ?? 0,
    // V8 prints the difference of two unsigned sizes: a fall shows as a number near 2^64.
    allocatedBytes: allocated < 2 ** 53 ? allocated : 0,
    incrementalMs: kind === 'mc' ? (field(line, 'incremental') ?? 0) : 0,
    backgroundMarkMs: kind === 'mc' ? (field(line, 'backgroundMark') ?? 0) : 0,
  };
}

const round2 = (ms: number) => Math.round(ms * 100) / 100;
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

export function gcFiguresOf(events: readonly GcEvent[]): GcFigures {
  const of = (kind: GcEvent['kind']) => events.filter((event) => event.kind === kind);
  const scavenges = of('scavenge').map((event) => event.pauseMs);
  const markCompacts = of('mark-compact');
  const pauses = markCompacts.map((event) => event.pauseMs);
  return {
    scavenges: scavenges.length,
    scavengeMs: round2(sum(scavenges)),
    longestScavengeMs: round2(Math.max(0, ...scavenges)),
    markCompacts: markCompacts.length,
    markCompactMs: round2(sum(pauses)),
    longestMarkCompactMs: round2(Math.max(0, ...pauses)),
    markingStepsMs: round2(sum(markCompacts.map((event) => event.incrementalMs))),
    backgroundMarkingMs: round2(sum(markCompacts.map((event) => event.backgroundMarkMs))),
    allocatedBytes: sum(events.map((event) => event.allocatedBytes)),
  };
}

/**
 * Collects the events of a process's --trace-gc-nvp output, each stamped with when its line arrived here
 * (Date.now(): node prints the line as the pause ends, and this process is idle while a load runs in its
 * own child, so the stamp is within a few ms of the pause).
 */
export class GcTrace {
  private readonly events: Array<GcEvent & { at: number }> = [];
  private partial = '';

  constructor(stdout: Readable) {
    stdout.setEncoding('utf8');
    // Read whether or not anything asks: a pipe nobody reads fills, and the server then blocks writing it.
    stdout.on('data', (chunk: string) => {
      const lines = (this.partial + chunk).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        const event = gcEventOf(line);
        if (event !== null) this.events.push({ ...event, at: Date.now() });
      }
    });
  }

  /** The collections whose lines arrived from `from` to `to` (epoch ms, as Date.now()). */
  between(from: number, to: number): GcFigures {
    return gcFiguresOf(this.events.filter((event) => event.at >= from && event.at <= to));
  }
}
