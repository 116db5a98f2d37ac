/**
 * The store of a replica that shares its state with others through PostgreSQL (--store postgres://…).
 * Each replica keeps the whole state in memory, as one process does, and the database holds every
 * tenant's commits in order. An operation runs on the replica's state, optimistically: its commit is
 * appended at the tenant's next version only if nobody took that version, which proves the state it ran
 * on was the latest; if somebody did, the replica catches up and runs it again. An operation that
 * writes nothing (a read, a refusal) holds only if the tenant has no newer commit: the replica looks,
 * and runs it again on what it finds. Either way one round trip in the common case. Reads stay local
 * and synchronous; a tenant's writes are serialised across replicas, different tenants' are not.
 */
import { IdsExhausted, type SalesforceIdFactory } from '../ids/salesforce-id.ts';
import { IndexedStore } from './indexed-store.ts';
import type { PostgresDatabase } from './postgres-database.ts';
import type { SharedLog, TenantBatch } from './shared-log.ts';
import type { StateIndex } from './state-index.ts';
import { TenantLanes } from './tenant-lanes.ts';
import { StoreUnavailable, unavailableOnError } from './store-unavailable.ts';
import type { WriteAttempt } from './telephony-store.ts';

/** Runs of one write before the replica gives up (each lost to another replica's commit for the tenant). */
const MAX_ATTEMPTS = 50;
/** Fewer ids than this left: the next block is fetched before the operation runs. */
const LOW_ON_IDS = 100;

export class ReplicatedTelephonyStore extends IndexedStore {
  readonly kind = 'postgres';
  readonly shared = true;
  private readonly versions = new Map<string, number>();
  private readonly lanes = new TenantLanes();
  private fetchingIds: Promise<void> | null = null;

  private constructor(
    state: StateIndex,
    ids: SalesforceIdFactory,
    private readonly db: PostgresDatabase,
    private readonly log: SharedLog,
  ) {
    super(state, ids, 0);
  }

  /** Replays the whole log into `state` and takes a first block of ids. */
  static async open(
    state: StateIndex,
    ids: SalesforceIdFactory,
    db: PostgresDatabase,
    log: SharedLog,
  ): Promise<ReplicatedTelephonyStore> {
    const store = new ReplicatedTelephonyStore(state, ids, db, log);
    for (const batch of await log.everything()) store.take(batch);
    ids.useBlocks();
    await store.moreIds();
    return store;
  }

  get location(): string {
    return this.db.location;
  }

  /** The database the replicas share, for the other shared parts (the journal). */
  get database(): PostgresDatabase {
    return this.db;
  }

  transact<T>(tenant: string, attempt: () => WriteAttempt<T>): Promise<T> {
    return this.lanes.run(tenant, null, () => this.write(tenant, attempt));
  }

  sync(tenant: string): Promise<void> {
    return this.lanes.run(
      tenant,
      async () => {
        await this.catchUp(tenant);
      },
      () => Promise.resolve(),
    );
  }

  async syncAll(): Promise<void> {
    const heads = await unavailableOnError(() => this.log.heads());
    await Promise.all(
      [...heads].filter(([tenant, version]) => version > this.versionOf(tenant)).map(([tenant]) => this.sync(tenant)),
    );
  }

  /** Whether the database answers within `timeoutMs` (health asks). */
  async reachable(timeoutMs = 2000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const asked = this.db.pool.query('SELECT 1').then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([asked, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.log.drained();
    await this.db.close();
  }

  private async write<T>(tenant: string, attempt: () => WriteAttempt<T>): Promise<T> {
    for (let run = 1; ; run++) {
      // Each run after the first follows another replica's write for the tenant; past this many, give up.
      if (run > MAX_ATTEMPTS) {
        throw new StoreUnavailable(
          `${MAX_ATTEMPTS} runs of an operation for ${tenant} each came after another replica's write for the same tenant`,
        );
      }
      if (this.ids.remaining < LOW_ON_IDS) await this.moreIds();
      const drawnBefore = this.ids.drawn;
      let tried: WriteAttempt<T>;
      try {
        tried = attempt();
      } catch (error) {
        if (error instanceof IdsExhausted) {
          // An operation that issues more ids than are left (a large bulk) gets at least as many more and runs again.
          const needed = this.ids.drawn - drawnBefore + 1;
          while (this.ids.remaining < needed) await this.moreIds();
          continue;
        }
        // A refusal stands if it was made on the latest state.
        if (await this.catchUp(tenant)) continue;
        throw error;
      }
      if (tried.mutations.length === 0) {
        if (await this.catchUp(tenant)) continue;
        return tried.result;
      }
      const batch: TenantBatch = { tenant, version: this.versionOf(tenant) + 1, mutations: [...tried.mutations] };
      if (await unavailableOnError(() => this.log.append(batch))) {
        this.take(batch, tried.change);
        return tried.result;
      }
      await this.catchUp(tenant);
    }
  }

  /** Applies what other replicas committed for the tenant since this one last looked; true when there was any. */
  private async catchUp(tenant: string): Promise<boolean> {
    const batches = await unavailableOnError(() => this.log.since(tenant, this.versionOf(tenant)));
    for (const batch of batches) this.take(batch);
    return batches.length > 0;
  }

  /** Applies one commit of the log; commits come in each tenant's order, with no gap. */
  private take(batch: TenantBatch, change?: ReadonlyMap<string, number>): void {
    const expected = this.versionOf(batch.tenant) + 1;
    if (batch.version !== expected) {
      throw new StoreUnavailable(
        `the shared log gave version ${batch.version} of ${batch.tenant} where ${expected} was next`,
      );
    }
    this.applyCommitted(batch.mutations, change);
    this.versions.set(batch.tenant, batch.version);
  }

  private versionOf(tenant: string): number {
    return this.versions.get(tenant) ?? 0;
  }

  /** Fetches another block of ids (one fetch at a time, shared by whoever needs it). */
  private moreIds(): Promise<void> {
    this.fetchingIds ??= unavailableOnError(() => this.log.idBlock())
      .then(([first, last]) => this.ids.addBlock(first, last))
      .finally(() => {
        this.fetchingIds = null;
      });
    return this.fetchingIds;
  }
}
