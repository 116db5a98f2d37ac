/**
 * CPU time the hypervisor gave to other guests ("steal", /proc/stat), as a share of all CPU time since a
 * mark. On a shared virtual machine it comes in bursts, and a burst turns a 2 ms answer into 20 ms for
 * every server alike, so each latency figure is printed with the steal it ran under. Linux only: null
 * elsewhere.
 */
import { readFileSync } from 'node:fs';

export interface CpuMark {
  total: number;
  steal: number;
}

export function cpuMark(): CpuMark | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { total: fields.reduce((sum, value) => sum + value, 0), steal: fields[7] ?? 0 };
  } catch {
    return null;
  }
}

/** Percent of CPU time stolen since `mark`, to one decimal; null where /proc/stat is not there. */
export function stealPercentSince(mark: CpuMark | null): number | null {
  const now = cpuMark();
  if (mark === null || now === null || now.total === mark.total) return null;
  return Math.round((1000 * (now.steal - mark.steal)) / (now.total - mark.total)) / 10;
}
