// The bench's CPU-per-request figure reads this: it must count the process's own CPU, and grow with it.
import { spawn } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { processCpuMs, processTree, treeCpuMs } from '../bench/process-cpu.ts';

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

describe.runIf(process.platform === 'linux')('processTree and treeCpuMs', () => {
  it('count a child and its child with their parent: scv-mock start is two processes', async () => {
    // A shell that starts a node that spins until killed: grandchildren count too.
    const shell = spawn('/bin/sh', ['-c', `"${process.execPath}" -e "for (;;) {}"; exit 0`], { stdio: 'ignore' });
    try {
      let tree: number[] = [];
      await vi.waitFor(() => {
        tree = processTree(shell.pid!);
        expect(tree).toHaveLength(2);
      });
      expect(tree[0]).toBe(shell.pid);
      const spinner = tree[1]!;
      // The spinner's CPU is the tree's, whatever the shell used.
      await vi.waitFor(() => expect(processCpuMs(spinner)!).toBeGreaterThanOrEqual(20), { timeout: 15_000 });
      const spun = processCpuMs(spinner)!;
      expect(treeCpuMs(shell.pid!)!).toBeGreaterThanOrEqual(spun);
      expect(processTree(process.pid)).toContain(shell.pid);
      process.kill(spinner);
    } finally {
      shell.kill();
    }
  });

  it('are the pid alone, and null, for a process that does not exist', () => {
    expect(processTree(2 ** 22 + 12345)).toEqual([2 ** 22 + 12345]);
    expect(treeCpuMs(2 ** 22 + 12345)).toBeNull();
  });
});
