/**
 * The throwaway PostgreSQL server for tests: a real server that stores and reads rows, delivers LISTEN/NOTIFY
 * between connections, runs beside other clusters, and is gone — port closed, dir removed — after stop(), or
 * after its test process is killed without a chance to call stop().
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgresCluster, type PostgresCluster } from './support/postgres-cluster.ts';

const SUPPORT = fileURLToPath(new URL('./support/postgres-cluster.ts', import.meta.url));

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Whether something accepts a TCP connection on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits for the condition (vitest polls it), up to 15 s. */
async function eventually(condition: () => Promise<boolean>, what: string) {
  await expect.poll(condition, { timeout: 15_000, message: `still not ${what}` }).toBe(true);
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const dataDirectory = (url: string): Promise<string> =>
  withClient(url, async (client) => {
    const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
    return rows[0]!.data_directory;
  });

describe('a throwaway PostgreSQL cluster', () => {
  let cluster: PostgresCluster;

  // On a fresh machine the first start installs PostgreSQL with apt-get first.
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('stores and reads rows', async () => {
    expect(cluster.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    await withClient(cluster.url, async (client) => {
      await client.query('CREATE TABLE calls (id serial PRIMARY KEY, caller text NOT NULL)');
      const inserted = await client.query<{ id: number }>('INSERT INTO calls (caller) VALUES ($1) RETURNING id', [
        '+15551230000',
      ]);
      const { rows } = await client.query<{ caller: string }>('SELECT caller FROM calls WHERE id = $1', [
        inserted.rows[0]!.id,
      ]);
      expect(rows).toEqual([{ caller: '+15551230000' }]);
    });
  });

  it('delivers NOTIFY to a connection that LISTENs', async () => {
    // LISTEN belongs to a session: it needs a connection of its own, not one borrowed from a pool.
    const listener = new pg.Client({ connectionString: cluster.url });
    await listener.connect();
    try {
      const received = new Promise<pg.Notification>((resolve) => listener.once('notification', resolve));
      await listener.query('LISTEN call_events');
      await withClient(cluster.url, (client) => client.query("SELECT pg_notify('call_events', 'ringing')"));
      const notification = await received;
      expect(notification.channel).toBe('call_events');
      expect(notification.payload).toBe('ringing');
    } finally {
      await listener.end();
    }
  });
});

describe('several clusters', () => {
  it('start side by side on their own ports and dirs, and stop() closes the port and removes the dir', async () => {
    const clusters = await Promise.all([startPostgresCluster(), startPostgresCluster()]);
    const [first, second] = clusters;
    try {
      expect(portOf(first.url)).not.toBe(portOf(second.url));
      const dirs = await Promise.all(clusters.map((cluster) => dataDirectory(cluster.url)));
      expect(new Set(dirs).size).toBe(2);

      await first.stop();
      expect(await accepts(portOf(first.url))).toBe(false);
      expect(existsSync(dirs[0]!)).toBe(false);
      // The other cluster is untouched.
      expect(await dataDirectory(second.url)).toBe(dirs[1]);
    } finally {
      await Promise.all(clusters.map((cluster) => cluster.stop()));
    }
  }, 60_000);

  it('go away when their test process is killed without calling stop()', async () => {
    const code = `import { startPostgresCluster } from ${JSON.stringify(SUPPORT)};
      const cluster = await startPostgresCluster();
      console.log(cluster.url);
      setInterval(() => undefined, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code]);
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /postgres:\/\/\S+/.exec(output);
        if (match) resolve(match[0]);
      });
      child.once('close', () => reject(new Error(`the child exited before its cluster started:\n${output}`)));
    });
    const dir = await dataDirectory(url);
    child.kill('SIGKILL');

    await eventually(async () => !(await accepts(portOf(url))), 'closed');
    await eventually(async () => !existsSync(dir), 'removed');
  }, 60_000);
});
