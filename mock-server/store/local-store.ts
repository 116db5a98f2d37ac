/**
 * The store of one process: in memory, optionally persisted on files (a write-ahead log and a lowdb
 * snapshot). A commit applies its mutations synchronously before it waits for the disk, so a handler that
 * reads and then commits without awaiting in between is atomic: Node runs one handler at a time, and
 * nothing is half-written when the commit is refused or fails.
 */
import type { SalesforceIdFactory } from '../ids/salesforce-id.ts';
import type { FilePersistence } from './file-persistence.ts';
import { IndexedStore } from './indexed-store.ts';
import type { Mutation } from './records.ts';
import type { StateIndex } from './state-index.ts';
import { StoreUnavailable } from './store-unavailable.ts';
import type { WriteAttempt } from './telephony-store.ts';
import { TurnEnd } from './turn-end.ts';

export class LocalTelephonyStore extends IndexedStore {
  readonly shared = false;
  private seq: number;
  private issuedAtLastCommit: number;
  /** In memory, when a commit counts as done: the end of its turn (with the others of that turn), or at once. */
  private readonly turnEnd: TurnEnd | null;

  constructor(
    state: StateIndex,
    private readonly persistence: FilePersistence | null,
    ids: SalesforceIdFactory,
    seq: number,
    droppedAtLoad: number,
    settleAfterTurn = false,
  ) {
    super(state, ids, droppedAtLoad);
    this.turnEnd = settleAfterTurn && persistence === null ? new TurnEnd() : null;
    this.seq = seq;
    this.issuedAtLastCommit = ids.issued;
    persistence?.setSnapshotSource(
      () => this.state.snapshotSource(this.seq),
      () => this.totalBytes(),
    );
  }

  get kind(): 'file' | 'memory' {
    return this.persistence === null ? 'memory' : 'file';
  }

  get location(): string | null {
    return this.persistence?.location ?? null;
  }

  async transact<T>(_tenant: string, attempt: () => WriteAttempt<T>): Promise<T> {
    // Nothing is awaited before the commit applies the mutations: reads and commit are one step.
    const tried = attempt();
    await this.commit(tried.mutations, tried.change);
    return tried.result;
  }

  /** One process: nothing to catch up with. */
  sync(): Promise<void> {
    return Promise.resolve();
  }

  syncAll(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Applies the mutations now; resolves once they are durable (StoreUnavailable when the disk refused
   * them), or in memory at once or at the end of the turn (turn-end.ts). `change` is their size change when
   * the caller has it already.
   */
  commit(mutations: readonly Mutation[], change?: ReadonlyMap<string, number>): Promise<void> {
    const batch: Mutation[] = [...mutations];
    if (this.ids.issued !== this.issuedAtLastCommit) {
      batch.push({ op: 'meta', meta: { idSeed: this.ids.seed, idsIssued: this.ids.issued } });
      this.issuedAtLastCommit = this.ids.issued;
    }
    if (batch.length === 0) return Promise.resolve();
    this.applyCommitted(batch, change);
    this.seq += 1;
    if (this.persistence === null) return this.turnEnd?.wait() ?? Promise.resolve();
    return this.persistence.append({ seq: this.seq, mutations: batch }).catch((error: unknown) => {
      throw new StoreUnavailable((error as Error).message);
    });
  }

  async close(): Promise<void> {
    await this.persistence?.close();
    // After the last snapshot, which wrote the lines still held from the file the store was opened from.
    this.state.closeLines();
  }
}
