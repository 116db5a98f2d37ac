/**
 * V8 sizes the old generation at 1.1 to 4 times what survived the last full collection, less the busier
 * the process. Under load it chose 1.3-1.5 times here, so a mock on a small store met a full collection
 * every few seconds, and on two cores its concurrent marking took the core the clients needed: paced
 * runs at 5,913 creates/s with two and three of them had p99s of 38 and 134 ms, and one without 5.9 ms. So
 * `scv-mock start` fixes the growth at V8's own largest factor, 4 times (`--heap-growing-percent=300`),
 * while what survives is small: in interleaved runs at 5,900 creates/s on a store file, reset before
 * each (`npm run bench:compare -- --paced 5900 --file --reset`), the p99's median over eight rounds was
 * 13.8 ms against 49.6 ms, seven rounds of eight lower. A first old-generation limit of 256 MB (node's
 * `--initial-old-space-size`) postpones the first full collection further; node takes it only on its
 * command line, so `scv-mock start` runs its server in a second process that has it (heap-relaunch.ts).
 *
 * For a large store the headroom is most of the RSS: 100,000 stored calls under five minutes of load
 * reached 0.8-1.2 GB without a cap and about 0.6 GB with 50 %. So once a full collection leaves more than
 * the mark alive, and from the start when the store on disk is larger than the mark (the cap must be in
 * place before loading it, or V8 sets the next limit at four times the loaded data), the growth is capped
 * at 50 %. A large snapshot's records are held as places in its file until read (store/held-lines.ts),
 * so the heap at start is smaller than the file; the cap before loading stays for the records that reads
 * and the log bring in. It is not lifted again: a heap that was large once is likely to be again. The
 * mark is judged on what survives a full collection, not on the heap's size between them: with four
 * times the headroom the garbage alone passes it. Only the start command does this: a process that
 * embeds the mock (startMockServer) owns its V8 flags, and so does a user who sets the flag in the node
 * flags or NODE_OPTIONS.
 */
import { existsSync, statSync } from 'node:fs';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** The growth while what survives is small, as V8's flag takes it: the heap may grow to 4 times it. */
export const SMALL_HEAP_GROWTH_PERCENT = 300;
/** The cap, as V8's flag takes it: the heap may grow to 1.5 times what survives. */
export const CAPPED_GROWTH_PERCENT = 50;
/** What survives a full collection (or the store on disk) above which the cap applies. */
export const CAP_ABOVE_BYTES = 128 * 2 ** 20;

/** True when node flags or NODE_OPTIONS already choose the growth: then it is left alone. */
export function growthChosenByUser(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg));
}

/** The bytes of a store on disk: its snapshot and its log (0 for none). */
export function storeBytesOnDisk(dataFile: string | null): number {
  if (dataFile === null) return 0;
  return [dataFile, `${dataFile}.wal`].reduce((sum, file) => sum + (existsSync(file) ? statSync(file).size : 0), 0);
}

/** A full collection (mark-compact), as node's gc entries name it. */
const isFullCollection = (entry: PerformanceEntry) =>
  (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;

/** The old generation's bytes in use: just after a full collection, about what survived it. */
const oldGenerationBytes = () =>
  getHeapSpaceStatistics()
    .filter((space) => !space.space_name.startsWith('new_'))
    .reduce((sum, space) => sum + space.space_used_size, 0);

const setGrowth = (percent: number) => setFlagsFromString(`--heap-growing-percent=${percent}`);

/**
 * Caps the growth now if the store about to be loaded is large; otherwise lets the heap grow to four
 * times what survives, and caps it after the first full collection that leaves more than the mark
 * alive. `onCapped` hears of that (with the bytes that survived), for the log.
 */
export function adaptHeapGrowth(storeBytes: number, onCapped: (survivedBytes: number) => void = () => {}): void {
  if (growthChosenByUser(process.execArgv, process.env.NODE_OPTIONS)) return;
  if (storeBytes > CAP_ABOVE_BYTES) {
    setGrowth(CAPPED_GROWTH_PERCENT);
    return;
  }
  setGrowth(SMALL_HEAP_GROWTH_PERCENT);
  // Told after each collection (a dozen a second under load; the full ones are what count).
  const observer = new PerformanceObserver((list) => {
    if (!list.getEntries().some(isFullCollection)) return;
    const survived = oldGenerationBytes();
    if (survived <= CAP_ABOVE_BYTES) return;
    setGrowth(CAPPED_GROWTH_PERCENT);
    observer.disconnect();
    onCapped(survived);
  });
  observer.observe({ entryTypes: ['gc'] });
}
