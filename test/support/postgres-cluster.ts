/**
 * A real, throwaway PostgreSQL server for tests: Debian's postgresql binaries (downloads from elsewhere are not
 * possible here), one new cluster per call, each in its own temp dir on its own port, so that test files can
 * start theirs at the same time. When PostgreSQL is missing, it is installed with apt-get, as a fresh CI machine
 * needs; when it cannot be, the error says what to install.
 *
 * pg_ctl detaches the server into its own session, so a test process that dies without calling stop() (a crash,
 * a timeout, SIGKILL) would leave it running. A detached watchdog shell per cluster guards against that: it waits
 * on a pipe from this process, and when the pipe closes without the word from stop(), it stops the server and
 * removes its dir. Only when the watchdog is killed as well (kill -9 of every process) does a server outlive its
 * test; such leftovers are postgres processes with a `-D .../pg-cluster-*` argument. A server whose dir is removed
 * under it shuts itself down within a minute (it checks its postmaster.pid), though pg_ctl can no longer stop it.
 *
 * The temp dir (os.tmpdir(), so $TMPDIR) must be one the postgres user can enter: /tmp is, a dir under /root is not.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:PORT/postgres — trust authentication, no password. */
  url: string;
  /** Stops the server (pg_ctl stop -m fast) and removes its dir. */
  stop(): Promise<void>;
}

const VERSIONS = '/usr/lib/postgresql';
const execFileAsync = promisify(execFile);

function findBin(): string | undefined {
  if (!existsSync(VERSIONS)) return undefined;
  const [newest] = readdirSync(VERSIONS)
    .filter((version) => existsSync(join(VERSIONS, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return newest === undefined ? undefined : join(VERSIONS, newest, 'bin');
}

/** The bin dir of the newest PostgreSQL installed, installing Debian's package first when there is none. */
export function ensurePostgres(): string {
  const found = findBin();
  if (found !== undefined) return found;
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update'], { stdio: 'ignore', timeout: 300_000, env });
    // The lock timeout: another test's apt-get install (chromium's) may hold dpkg's lock for a while.
    const install = ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', 'postgresql'];
    execFileSync('apt-get', install, { stdio: 'ignore', timeout: 600_000, env });
    const installed = findBin();
    if (installed === undefined) throw new Error(`no ${VERSIONS}/*/bin/initdb after the install`);
    return installed;
  } catch (error) {
    throw new Error(
      `The PostgreSQL tests need the server binaries in ${VERSIONS}/*/bin and could not install them ` +
        `(${(error as Error).message}). Run: apt-get install -y postgresql`,
      { cause: error },
    );
  }
}

/** One word for /bin/sh, whatever it contains. */
const quote = (word: string | number): string => `'${String(word).replace(/'/g, `'\\''`)}'`;
const shell = (...words: (string | number)[]): string => words.map(quote).join(' ');

// initdb and pg_ctl refuse to run as root, so root runs them as postgres; any other user runs them as itself.
function asPostgres(script: string): [string, string[]] {
  return process.getuid?.() === 0 ? ['su', ['postgres', '-s', '/bin/sh', '-c', script]] : ['/bin/sh', ['-c', script]];
}

async function runAsPostgres(script: string): Promise<void> {
  const [file, args] = asPostgres(script);
  try {
    // cwd: the postgres user may not be allowed into the test's own working directory.
    await execFileAsync(file, args, { cwd: tmpdir(), timeout: 60_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`${script} failed: ${stderr || (error as Error).message}`, { cause: error });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function startServer(pgCtl: string, data: string, dir: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    // With -l the server's output goes to a file: otherwise it keeps pg_ctl's pipes open and execFile never returns.
    const log = join(dir, `server-${port}.log`);
    // pg_ctl hands -o to a shell of its own, hence the dir's second quoting. fsync=off: the data is thrown away.
    const options = `-p ${port} -k ${quote(dir)} -c listen_addresses=127.0.0.1 -c fsync=off`;
    try {
      await runAsPostgres(shell(pgCtl, '-D', data, '-l', log, '-o', options, '-w', '-t', 30, 'start'));
      return port;
    } catch (error) {
      const output = existsSync(log) ? readFileSync(log, 'utf8') : '';
      // Another process can take the port between freePort() and the server's bind: then try another port.
      if (attempt < 3 && output.includes('Address already in use')) continue;
      throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
    }
  }
}

// Connections, not only pg_ctl's view of postmaster.pid, are what the tests need: retry until one succeeds.
async function waitForQueries(url: string, deadline = Date.now() + 10_000): Promise<void> {
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL at ${url} accepts no queries`, { cause: error });
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// The watchdog reads its stdin: a line is stop()'s word that all is handled; end of file means this process died.
function startWatchdog(cleanup: string, dir: string): ChildProcess {
  const script = `read _ && exit 0; ${shell(...asPostgres(cleanup).flat())} >/dev/null 2>&1; rm -rf ${quote(dir)}`;
  // detached: a signal to this process group (Ctrl-C, a runner's kill) must not take the watchdog with it.
  const watchdog = spawn('/bin/sh', ['-c', script], {
    cwd: tmpdir(),
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  if (watchdog.stdin instanceof Socket) watchdog.stdin.unref();
  return watchdog;
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = ensurePostgres();
  const pgCtl = join(bin, 'pg_ctl');
  const dir = mkdtempSync(join(tmpdir(), 'pg-cluster-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  const watchdog = startWatchdog(shell(pgCtl, '-D', data, 'stop', '-m', 'immediate'), dir);

  let running = false;
  const stop = async (): Promise<void> => {
    if (watchdog.stdin?.writable) watchdog.stdin.end('stop\n');
    try {
      // When the dir was removed under a running server, pg_ctl fails (no postmaster.pid): that is reported,
      // and the server shuts itself down at its next check of that file, within a minute.
      if (running) await runAsPostgres(shell(pgCtl, '-D', data, 'stop', '-m', 'fast'));
      running = false;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  try {
    const initdb = join(bin, 'initdb');
    // --locale=C: the same collation everywhere, whatever locales the machine has generated (or lacks).
    await runAsPostgres(
      shell(initdb, '-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'),
    );
    const port = await startServer(pgCtl, data, dir);
    running = true;
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await waitForQueries(url);
    return { url, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

let databases = 0;

/** A new, empty database on the cluster (named `<prefix>_<n>`); resolves to its URL. */
export async function createDatabase(cluster: PostgresCluster, prefix: string): Promise<string> {
  const name = `${prefix}_${++databases}`;
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}
