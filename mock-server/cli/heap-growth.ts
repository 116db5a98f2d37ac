/**
 * V8 sizes the old generation at 1.1 to 4 times what survived the last full collection, more the busier
 * the process. For a small heap that headroom keeps full collections rare and the latency tail short:
 * at 1,000 creates/s on an empty store, a fixed 50 % headroom tripled the p99 (27–28 ms against
 * 8–11 ms). For a large store the headroom is most of the RSS: 100,000 stored calls under five minutes
 * of load reached 0.8–1.2 GB without a cap and about 0.6 GB with 50 %. So `scv-mock start` caps the
 * growth only for a large heap: from the start when the store on disk is large (the cap must be in place
 * before loading it, or V8 sets the next limit at four times the loaded data), and otherwise once the
 * heap passes the mark. A large snapshot's records are now held as places in its file until read
 * (store/held-lines.ts), so the heap at start is smaller than the file; the cap before loading stays for
 * the records that reads and the log bring in, and it made no clear difference to the start (interleaved
 * starts on 100,000 calls: medians of about 2.05 s with it and 2.03 s without). It is not lifted again:
 * a heap that was large once (a reset, a smaller load) is likely to be again, and lifting it after a
 * small full collection would undo the cap during a load, when the heap is still small. Only the start
 * command does this: a process that embeds the mock (startMockServer) owns its V8 flags, and so does a
 * user who sets the flag in the node flags or NODE_OPTIONS.
 */
import { existsSync, statSync } from 'node:fs';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/** The cap, as V8's flag takes it: the heap may grow to 1.5 times what survives. */
export const CAPPED_GROWTH_PERCENT = 50;
/** Heap (or store on disk) above which the cap applies. */
export const CAP_ABOVE_BYTES = 128 * 2 ** 20;
const CHECK_EVERY_MS = 2000;

/** True when node flags or NODE_OPTIONS already choose the growth: then it is left alone. */
export function growthChosenByUser(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg));
}

/** The bytes of a store on disk: its snapshot and its log (0 for none). */
export function storeBytesOnDisk(dataFile: string | null): number {
  if (dataFile === null) return 0;
  return [dataFile, `${dataFile}.wal`].reduce((sum, file) => sum + (existsSync(file) ? statSync(file).size : 0), 0);
}

/**
 * Caps the growth now if the store about to be loaded is large, or else as soon as the heap passes the
 * mark (checked every two seconds, on a timer that does not keep the process alive).
 */
export function adaptHeapGrowth(storeBytes: number): void {
  if (growthChosenByUser(process.execArgv, process.env.NODE_OPTIONS)) return;
  const cap = () => setFlagsFromString(`--heap-growing-percent=${CAPPED_GROWTH_PERCENT}`);
  if (storeBytes > CAP_ABOVE_BYTES) {
    cap();
    return;
  }
  const timer = setInterval(() => {
    if (getHeapStatistics().used_heap_size <= CAP_ABOVE_BYTES) return;
    cap();
    clearInterval(timer);
  }, CHECK_EVERY_MS).unref();
}
