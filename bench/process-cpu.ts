/**
 * The CPU time a process has used, user and system, across all its threads (the garbage collector's
 * helpers included), from /proc/<pid>/stat. Divided by the requests a run answered it gives a process's
 * own cost per request, whatever share of the cores the load generator took: a cross-check on a req/s
 * ratio. It drifts with a shared machine about as much as req/s does (one mock's rounds on 2026-12-02:
 * 127–177 µs while its req/s ran 5,803–7,878), so it too is judged in interleaved rounds; but where the
 * two disagree, the req/s ratio owes part of its change to something besides the mock's own work (a
 * compared change measured 1.12× the req/s and 0.95× the CPU a request). Linux only: null elsewhere.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The kernel's clock ticks per second for these fields (USER_HZ: 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

/** CPU milliseconds the process has used so far, or null where /proc is not there (or it has exited). */
export function processCpuMs(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count the fields after its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name (0-based: 11, 12).
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : null;
}

/**
 * A process and its descendants: `scv-mock start` runs its server in a child process (heap-relaunch.ts),
 * so the mock's cost is the pair's. From /proc/<pid>/task/<tid>/children (Linux); just `pid` elsewhere.
 */
export function processTree(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [pid];
  }
  const children = tasks.flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return [pid, ...children.flatMap(processTree)];
}

/** processCpuMs summed over a process and its descendants, or null where /proc does not have the first. */
export function treeCpuMs(pid: number): number | null {
  const [first, ...rest] = processTree(pid).map(processCpuMs);
  if (first === null || first === undefined) return null;
  return rest.reduce<number>((sum, ms) => sum + (ms ?? 0), first);
}
