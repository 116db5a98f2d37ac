/**
 * The garbage collector's pauses in a server the benchmark runs, read from the lines that node's
 * --trace-gc prints on its stdout. A paced run's tail at half of saturation comes in a few clusters a
 * run, and on 2026-12-02 the largest of them began at a mark-compact (pauses of 8–27 ms, then the queue
 * it left); the figures say how many of those a run held, so that a p99 can be read next to its cause.
 */
import type { Readable } from 'node:stream';

export interface GcEvent {
  /** A scavenge (the young generation) or a mark-compact (the whole heap). */
  kind: 'scavenge' | 'mark-compact';
  /** The pause on the main thread, ms (work on helper threads before it is not counted). */
  pauseMs: number;
}

export interface GcFigures {
  scavenges: number;
  scavengeMs: number;
  longestScavengeMs: number;
  markCompacts: number;
  markCompactMs: number;
  longestMarkCompactMs: number;
}

/**
 * One --trace-gc line, e.g. `[12:0x5d]  1729 ms: Mark-Compact 35.4 (65.7) -> 27.0 (67.7) MB, 3.68 / 0.04 ms
 * (+ 13.0 ms in 39 steps …) …`, as an event; null for any other line (and for a minor mark-compact, which
 * node 20 does not run unless told to).
 */
export function gcEventOf(line: string): GcEvent | null {
  const match = /\d ms: (Scavenge|Mark-Compact)\b[^,]*MB, ([\d.]+) \/ [\d.]+ ms/.exec(line);
  if (match === null) return null;
  return { kind: match[1] === 'Scavenge' ? 'scavenge' : 'mark-compact', pauseMs: Number(match[2]) };
}

const round2 = (ms: number) => Math.round(ms * 100) / 100;

export function gcFiguresOf(events: readonly GcEvent[]): GcFigures {
  const of = (kind: GcEvent['kind']) => events.filter((event) => event.kind === kind).map((event) => event.pauseMs);
  const scavenges = of('scavenge');
  const markCompacts = of('mark-compact');
  return {
    scavenges: scavenges.length,
    scavengeMs: round2(scavenges.reduce((sum, ms) => sum + ms, 0)),
    longestScavengeMs: round2(Math.max(0, ...scavenges)),
    markCompacts: markCompacts.length,
    markCompactMs: round2(markCompacts.reduce((sum, ms) => sum + ms, 0)),
    longestMarkCompactMs: round2(Math.max(0, ...markCompacts)),
  };
}

/**
 * Collects the events of a process's --trace-gc output, each stamped with when its line arrived here
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
