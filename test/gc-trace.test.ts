// The bench reads a server's GC pauses from node's own --trace-gc-nvp lines: the parse must hold for what
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

/** An nvp line as node 20 prints it, with the fields the parse reads (the real lines carry about a hundred). */
const nvp = (fields: string) => `[6313:0x6ad8d90]     1729 ms: ${fields} reduce_memory=0 time_to_safepoint=0.00`;

describe('gcEventOf', () => {
  it('reads the kind, the pause and the bytes allocated of a scavenge line', () => {
    expect(gcEventOf(nvp('pause=1.56 mutator=14.5 gc=s reduce_memory=0 allocated=4074336 promoted=0'))).toEqual({
      kind: 'scavenge',
      pauseMs: 1.56,
      allocatedBytes: 4074336,
      incrementalMs: 0,
      backgroundMarkMs: 0,
    });
  });

  it('reads the marking beside a mark-compact, not the fields whose names begin alike', () => {
    const line = nvp(
      'pause=8.22 mutator=30.0 gc=mc incremental.finalize=0.3 incremental=20.6 incremental_steps_count=94 ' +
        'incremental_walltime_duration=57 background.mark=283.9 background.sweep=3.1 allocated=2021224',
    );
    expect(gcEventOf(line)).toEqual({
      kind: 'mark-compact',
      pauseMs: 8.22,
      allocatedBytes: 2021224,
      incrementalMs: 20.6,
      backgroundMarkMs: 283.9,
    });
  });

  it("counts a fall in V8's allocation count (printed as an unsigned difference) as nothing allocated", () => {
    expect(gcEventOf(nvp('pause=2.1 mutator=1.0 gc=mc allocated=18446744073709551472'))?.allocatedBytes).toBe(0);
  });

  it('reads no event from other lines', () => {
    expect(gcEventOf('scv-telephony-mock 0.1.0 listening on http://127.0.0.1:4010/telephony/v1')).toBeNull();
    // A minor mark-compact (not run by node 20 unless told to) is neither kind.
    expect(gcEventOf(nvp('pause=0.8 mutator=3.0 gc=mmc allocated=100'))).toBeNull();
  });

  it('sums pauses by kind, with the longest of each, the marking beside the mark-compacts and the bytes allocated', () => {
    const event = (kind: 'scavenge' | 'mark-compact', pauseMs: number, allocatedBytes: number, marking = 0) => ({
      kind,
      pauseMs,
      allocatedBytes,
      incrementalMs: marking,
      backgroundMarkMs: marking * 10,
    });
    expect(
      gcFiguresOf([event('scavenge', 1.5, 1000), event('mark-compact', 12.25, 500, 4), event('scavenge', 3, 2000)]),
    ).toEqual({
      scavenges: 2,
      scavengeMs: 4.5,
      longestScavengeMs: 3,
      markCompacts: 1,
      markCompactMs: 12.25,
      longestMarkCompactMs: 12.25,
      markingStepsMs: 4,
      backgroundMarkingMs: 40,
      allocatedBytes: 3500,
    });
    expect(gcFiguresOf([])).toMatchObject({ scavenges: 0, longestScavengeMs: 0, markCompacts: 0, allocatedBytes: 0 });
  });
});

describe('GcTrace', () => {
  it('counts the collections and bytes a real node process reports with --trace-gc-nvp, within a time window', async () => {
    const from = Date.now();
    const child = spawn(process.execPath, ['--trace-gc-nvp', '--expose-gc', '-e', ALLOCATE_THEN_COLLECT], {
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
    // 400,000 objects of two fields, each with a string of its own: at least 40 bytes apiece.
    expect(figures.allocatedBytes).toBeGreaterThan(400_000 * 40);
    // A window before the process started holds none of its collections, and one after it ended neither.
    expect(trace.between(from - 60_000, from - 1)).toMatchObject({ scavenges: 0, markCompacts: 0 });
    expect(trace.between(to + 1, to + 60_000)).toMatchObject({ scavenges: 0, markCompacts: 0 });
  });
});
