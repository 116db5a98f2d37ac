/**
 * Started through npm (`npm start`, `npx scv-mock start`, a package script), the mock's parent is a
 * shell npm spawned to run the script. Stopping npm (a CI step's `kill`, a test runner's teardown) ends
 * npm and that shell, not the mock, which would run on, orphaned, holding its port and its store. So
 * when npm's script is the mock itself, the mock watches its parent and stops, as on SIGTERM, once the
 * parent is gone.
 */

/**
 * Set in the environment of the server process that `scv-mock start` runs (heap-relaunch.ts), to the pid
 * of the process that started it: the server stops when that process is gone.
 */
export const LAUNCHER_PID_ENV = 'SCV_MOCK_LAUNCHER_PID';

/** True when this process is the server that the process `ppid` started for `scv-mock start`. */
export function startedByLauncher(env: NodeJS.ProcessEnv, ppid: number): boolean {
  return env[LAUNCHER_PID_ENV] === String(ppid);
}

/**
 * Whether npm's current script (npm sets npm_lifecycle_script for npm run and npx) runs this mock in
 * the foreground. Not when it starts the mock in the background (`&`): that shell ends at once, on purpose;
 * nor when the mock is started by something else that npm runs (a test suite under `npm test`).
 */
export function stopsWithNpm(env: NodeJS.ProcessEnv): boolean {
  const script = env.npm_lifecycle_script;
  if (script === undefined) return false;
  // Only `start` watches, so naming the bin is enough; npx's script is the bin alone, quoted: 'scv-mock'.
  return /\bscv-mock(?:\.mjs)?\b/.test(script) && !/(?:^|[^&])&(?!&)/.test(script);
}

/** Calls `onGone` once the process that started this one has ended; returns a function that stops watching. */
export function whenParentEnds(onGone: () => void, everyMs = 250): () => void {
  // process.ppid is read once at start (a value, not a getter): ask whether that process still exists.
  const parent = process.ppid;
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch (error) {
      // EPERM: it exists but is not ours to signal (a reused pid); only ESRCH means it is gone.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') return;
      clearInterval(timer);
      onGone();
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
