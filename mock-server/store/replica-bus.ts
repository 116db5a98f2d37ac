/**
 * Messages from one replica to every other live one, delivered before the sender answers: a clock
 * change, a tenant's fault rules. PostgreSQL's NOTIFY carries them. Each replica listens on a connection
 * named `scv-mock-replica` and acknowledges a message once it has applied it; the sender waits for as
 * many acknowledgements as there are other such connections (a replica that dies closes its own), so an
 * admin change answered by one replica is in force on all of them. A replica that starts later reads the
 * state from its table instead.
 */
import type { Client } from 'pg';
import type { Logger } from '../http/logger.ts';
import type { PostgresDatabase } from './postgres-database.ts';
import { unavailableOnError } from './store-unavailable.ts';

const CHANNEL = 'scv_mock_bus';
const APPLICATION = 'scv-mock-replica';
/** How long a sender waits for a replica that neither acknowledges nor goes away. */
const ACK_TIMEOUT_MS = 5000;

type BusNote =
  | { kind: 'message'; id: string; from: number; topic: string; payload: unknown }
  | { kind: 'ack'; id: string; from: number };

interface Waiting {
  needed: number;
  acks: number;
  done: () => void;
}

export class ReplicaBus {
  private client: Client | null = null;
  private backendPid = 0;
  private sent = 0;
  private readonly handlers = new Map<string, (payload: unknown) => Promise<void>>();
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly db: PostgresDatabase,
    private readonly logger: Logger,
  ) {}

  /** What this replica does with a topic's messages (before it acknowledges them). */
  on(topic: string, handler: (payload: unknown) => Promise<void>): void {
    this.handlers.set(topic, handler);
  }

  async start(): Promise<void> {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: this.db.url, application_name: APPLICATION });
    client.on('error', (error) => this.logger.warn(`the replicas' message connection failed: ${error.message}`));
    client.on('notification', (note) => {
      if (note.channel === CHANNEL && note.payload !== undefined) this.receive(note.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    const pid = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    this.backendPid = pid.rows[0]!.pid;
    this.client = client;
  }

  /** Sends the message to every other live replica; resolves once each has applied it (or after the time limit). */
  async publish(topic: string, payload: unknown): Promise<void> {
    const id = `${this.db.replica}-${++this.sent}`;
    const others = await unavailableOnError(() =>
      this.db.pool.query<{ count: string }>(
        `SELECT count(*) FROM pg_stat_activity
        WHERE application_name = $1 AND datname = current_database() AND pid <> $2`,
        [APPLICATION, this.backendPid],
      ),
    );
    const needed = Number(others.rows[0]!.count);
    if (needed === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const acknowledged = new Promise<boolean>((resolve) => {
      this.waiting.set(id, { needed, acks: 0, done: () => resolve(true) });
      timer = setTimeout(() => resolve(false), ACK_TIMEOUT_MS);
    });
    try {
      await unavailableOnError(() => this.notify({ kind: 'message', id, from: this.db.replica, topic, payload }));
      if (!(await acknowledged)) {
        const got = this.waiting.get(id)?.acks ?? 0;
        this.logger.warn(
          `only ${got} of ${needed} other replicas confirmed the ${topic} change within ${ACK_TIMEOUT_MS / 1000} s`,
        );
      }
    } finally {
      clearTimeout(timer);
      this.waiting.delete(id);
    }
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  private notify(note: BusNote): Promise<unknown> {
    return this.db.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(note)]);
  }

  private receive(text: string): void {
    let note: BusNote;
    try {
      note = JSON.parse(text) as BusNote;
    } catch {
      return;
    }
    if (note.from === this.db.replica) return;
    if (note.kind === 'ack') {
      const waiting = this.waiting.get(note.id);
      if (waiting !== undefined && ++waiting.acks >= waiting.needed) waiting.done();
      return;
    }
    const handler = this.handlers.get(note.topic);
    const applied = handler === undefined ? Promise.resolve() : handler(note.payload);
    applied
      .catch((error: unknown) => {
        this.logger.warn(`could not apply another replica's ${note.topic} change: ${(error as Error).message}`);
      })
      .then(() => this.notify({ kind: 'ack', id: note.id, from: this.db.replica }))
      .catch(() => undefined);
  }
}
