// The bench reads a server's GC pauses from node's own --trace-gc lines: the parse must hold for what
// this node prints, so the lines come from a real process rather than a copy in the test.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { GcTrace, gcEventOf, gcFiguresOf } from '../bench/gc-trace.ts';

/** A node process that fills its young generation, then asks for two full collections. */
const ALLOCATE_THEN_COLLECT = `
  let keep = [];
  for (let i = 0; i < 400000; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 5000) keep = []; }
  gc(); gc();
`;

describe('gcEventOf', () => {
  it('reads the kind and the main-thread pause of a scavenge and a mark-compact line', () => {
    expect(
      gcEventOf(
        '[6313:0x6ad8d90]       24 ms: Scavenge 4.1 (4.2) -> 3.7 (5.2) MB, 1.56 / 0.00 ms  (average mu = 1.000) allocation failure; ',
      ),
    ).toEqual({ kind: 'scavenge', pauseMs: 1.56 });
    expect(
      gcEventOf(
        '[1839:0x16e8b260]  11975 ms: Mark-Compact 51.8 (83.1) -> 43.2 (80.9) MB, 8.22 / 0.05 ms  (+ 18.8 ms in 53 steps since start of marking, biggest step 5.2 ms) finalize incremental marking via task; GC in old space requested',
      ),
    ).toEqual({ kind: 'mark-compact', pauseMs: 8.22 });
    expect(gcEventOf('scv-telephony-mock 0.1.0 listening on http://127.0.0.1:4010/telephony/v1')).toBeNull();
  });

  it('sums pauses by kind, with the longest of each', () => {
    expect(
      gcFiguresOf([
        { kind: 'scavenge', pauseMs: 1.5 },
        { kind: 'mark-compact', pauseMs: 12.25 },
        { kind: 'scavenge', pauseMs: 3 },
      ]),
    ).toEqual({
      scavenges: 2,
      scavengeMs: 4.5,
      longestScavengeMs: 3,
      markCompacts: 1,
      markCompactMs: 12.25,
      longestMarkCompactMs: 12.25,
    });
    expect(gcFiguresOf([])).toMatchObject({ scavenges: 0, longestScavengeMs: 0, markCompacts: 0 });
  });
});

describe('GcTrace', () => {
  it('counts the collections a real node process reports with --trace-gc, within a time window', async () => {
    const from = Date.now();
    const child = spawn(process.execPath, ['--trace-gc', '--expose-gc', '-e', ALLOCATE_THEN_COLLECT], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const trace = new GcTrace(child.stdout);
    // The stream may still hold its last lines after the exit event: wait for both.
    const [[code]] = (await Promise.all([once(child, 'exit'), once(child.stdout, 'end')])) as [
      [number | null],
      unknown,
    ];
    const to = Date.now();
    expect(code).toBe(0);
    const figures = trace.between(from, to);
    expect(figures.scavenges).toBeGreaterThan(0);
    expect(figures.markCompacts).toBeGreaterThanOrEqual(2);
    expect(figures.longestMarkCompactMs).toBeGreaterThan(0);
    // A window before the process started holds none of its collections, and one after it ended neither.
    expect(trace.between(from - 60_000, from - 1)).toMatchObject({ scavenges: 0, markCompacts: 0 });
    expect(trace.between(to + 1, to + 60_000)).toMatchObject({ scavenges: 0, markCompacts: 0 });
  });
});
