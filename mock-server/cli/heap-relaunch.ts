/**
 * `scv-mock start` runs the server in a second node process with a first old-generation limit of 256 MB
 * (`--initial-old-space-size`). V8 otherwise starts the old generation small and sizes it from what
 * survives each full collection, so a mock under load from an empty store met a full collection within
 * its first seconds, and its concurrent marking took the core the clients needed. At half of saturation
 * on a store file, reset before each run (`npm run bench:compare -- --base HEAD --file --reset --paced
 * 5100 --node-flags=--initial-old-space-size=256`, 2026-12-03), the p99's median over six rounds was
 * 4.32 ms with the limit against 10.92 ms without, the worst round 4.47 against 14.67 ms. Node takes
 * the flag only on its command line (not from NODE_OPTIONS, nor from v8.setFlagsFromString once the
 * heap exists), hence the second process. The cost: one more node process (about 45 MB of RSS, and some
 * 100 ms of start), and a heap that may hold up to 256 MB of garbage before its first full collection.
 *
 * The first process stays as the one its starter knows: it passes SIGINT, SIGTERM and SIGHUP on and
 * exits as the server does (with its code, or by its signal). The server runs in a session of its own,
 * so a signal sent to the whole process group (Ctrl-C, a test runner's group kill) reaches it once,
 * through the first process, and not twice (a second SIGINT means "exit without waiting"). If the first
 * process is killed outright, the server notices and shuts down as on SIGTERM (parent-watch.ts).
 * Giving node the flag yourself (any value; 0 leaves V8's own sizing) runs the server in that process,
 * as does a debugger flag, and Windows (runsServerApart).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { LAUNCHER_PID_ENV, stopsWithNpm, whenParentEnds } from './parent-watch.ts';

/** The first old-generation limit the server process starts with, in MB. */
const INITIAL_OLD_SPACE_MB = 256;

/**
 * Whether `scv-mock start` runs its server in a second process: not when node's command line already
 * sizes the old generation; not under a debugger (`--inspect` and kin, on the command line or in
 * NODE_OPTIONS), which should attach to the server, not to a process that only passes signals on; and not
 * on Windows, where a detached child gets a console of its own and signals are not passed the same way.
 */
export function runsServerApart(platform: string, execArgv: readonly string[], nodeOptions = ''): boolean {
  if (platform === 'win32') return false;
  if (execArgv.some((arg) => /^--initial[-_]old[-_]space[-_]size\b/.test(arg))) return false;
  return ![...execArgv, ...nodeOptions.split(/\s+/)].some((arg) => /^--inspect/.test(arg));
}

const PASSED_ON = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Runs `script argv` in a server process with the limit and resolves with its exit code (or ends by its signal). */
export function runInServerProcess(script: string, argv: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    // This process's node flags, the limit, the same entry script and the same command.
    const args = [...process.execArgv, `--initial-old-space-size=${INITIAL_OLD_SPACE_MB}`, script, ...argv];
    const server = spawn(process.execPath, args, {
      stdio: 'inherit',
      detached: true,
      env: { ...process.env, [LAUNCHER_PID_ENV]: String(process.pid) },
    });
    const passOn = (signal: NodeJS.Signals) => () => server.kill(signal);
    const handlers = PASSED_ON.map((signal) => [signal, passOn(signal)] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    // Stopping npm ends the shell it ran this in, not this process (parent-watch.ts): stop the server then.
    const stopWatching = stopsWithNpm(process.env) ? whenParentEnds(() => server.kill('SIGTERM')) : () => {};
    const finished = () => {
      stopWatching();
      for (const [name, handler] of handlers) process.off(name, handler);
    };
    server.on('error', (error) => {
      finished();
      process.stderr.write(`scv-mock: cannot start the server process (${error.message})\n`);
      resolve(1);
    });
    server.on('exit', (code, signal) => {
      finished();
      if (signal === null) return resolve(code ?? 1);
      // Ended by a signal: end the same way, so whoever started this process sees what happened.
      process.kill(process.pid, signal);
      // Only reached for a signal whose default is not to end a process: exit as a shell reports it.
      resolve(128 + constants.signals[signal]);
    });
  });
}
