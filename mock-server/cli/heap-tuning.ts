/**
 * V8 lets the old generation grow to 2–4 times what survives a collection while a process allocates
 * fast, which for a server holding 100,000 calls (about 150 MB live) means 600+ MB of RSS after a
 * minute of load. A fixed 50 % headroom kept it near 390 MB at the same throughput; 20 % saved another
 * 40 MB but cost a fifth of the throughput while the heap was still small and growing (empty store),
 * because every growth step became a full collection. Measured with bench/run-bench.ts (README
 * "Performance"). Only the `start` command applies it: a process that embeds the mock
 * (startMockServer) owns its own V8 flags.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_FLAG = '--heap-growing-percent=50';

/** The flag to set, or null when the user already chose one (node flags or NODE_OPTIONS). */
export function heapFlagToApply(execArgv: readonly string[], nodeOptions: string | undefined): string | null {
  const chosen = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((arg) =>
    /^--heap[-_]growing[-_]percent\b/.test(arg),
  );
  return chosen ? null : HEAP_GROWING_FLAG;
}

export function tuneHeapForLongRuns(): void {
  const flag = heapFlagToApply(process.execArgv, process.env.NODE_OPTIONS);
  if (flag !== null) setFlagsFromString(flag);
}
