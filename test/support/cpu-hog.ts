/**
 * Busy processes beside a test, one per core by default, so that it runs on a machine as busy as a
 * shared CI runner: a test that passes only when it has the cores to itself fails here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface CpuHog {
  /** How many busy processes run. */
  readonly processes: number;
  stop(): Promise<void>;
}

export function startCpuHog(processes = availableParallelism()): CpuHog {
  const children: ChildProcess[] = Array.from({ length: processes }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );
  return {
    processes,
    stop: async () => {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}
