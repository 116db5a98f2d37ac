// The bench's CPU-per-request figure reads this: it must count the process's own CPU, and grow with it.
import { describe, expect, it } from 'vitest';
import { processCpuMs } from '../bench/process-cpu.ts';

describe.runIf(process.platform === 'linux')('processCpuMs', () => {
  it('counts the CPU this process uses: it grows while the process computes', () => {
    const before = processCpuMs(process.pid)!;
    expect(before).toBeGreaterThan(0);
    // Compute until the count has moved by two ticks (the kernel counts in 10 ms ticks), however long
    // that takes on a busy machine; a count that never moved would fail at the test's timeout.
    let spins = 0;
    while (processCpuMs(process.pid)! < before + 20) spins++;
    expect(spins).toBeGreaterThan(0);
    expect(processCpuMs(process.pid)!).toBeGreaterThanOrEqual(before + 20);
  });

  it('is null for a process that does not exist', () => {
    expect(processCpuMs(2 ** 22 + 12345)).toBeNull();
  });
});
