/** Runs the real `scv-mock` command as a child process, as a user would. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/scv-mock.mjs', import.meta.url));

export interface RunningMock {
  /** The process started: `scv-mock start` runs the server in a second process (heap-relaunch.ts). */
  child: ChildProcessWithoutNullStreams;
  /** The server's process, from the banner's `process:` line. */
  pid: number;
  baseUrl: string;
  output: () => string;
  /**
   * Sends a signal to the process started (which passes it on), SIGKILL to the server itself: killing the
   * first process outright makes the server shut down cleanly, and a SIGKILL here stands for a crash.
   * Resolves with the exit code of the process started.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function runCli(
  args: string[],
  cwd?: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `scv-mock start` on a free port and waits for its whole start banner. */
/** `env` adds variables to the child's environment. */
export function startCli(
  args: string[],
  cwd?: string,
  limits: { fileSizeKb?: number; env?: Record<string, string> } = {},
): Promise<RunningMock> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, BIN, 'start', '--port', '0', ...args];
    const env = { ...process.env, ...limits.env };
    // A file size limit (ulimit -f) makes writes past it fail part-way, as on a full disk.
    const child =
      limits.fileSizeKb === undefined
        ? spawn(command[0]!, command.slice(1), { cwd, env })
        : spawn('/bin/sh', ['-c', `ulimit -f ${limits.fileSizeKb} && exec "$0" "$@"`, ...command], { cwd, env });
    let output = '';
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const timer = setTimeout(() => reject(new Error(`no start banner within 15 s:\n${output}`)), 15_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\/\/[^\s]+)\/telephony\/v1/.exec(output);
      // The banner may arrive in several chunks; its last line names the health URL.
      if (match !== null && /health: +\S+\n/.test(output)) {
        clearTimeout(timer);
        const pid = Number(/process: +pid (\d+)/.exec(output)![1]);
        resolve({
          child,
          pid,
          baseUrl: match[1]!,
          output: () => output,
          stop: async (signal = 'SIGTERM') => {
            if (signal === 'SIGKILL') process.kill(pid, signal);
            else child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`scv-mock exited with ${code} before listening:\n${output}`));
    });
  });
}
