/**
 * The store interface the server talks to, and where a store comes from: in memory, on files (a
 * write-ahead log and a snapshot in lowdb's JSON format; local-store.ts), or shared by replicas through
 * PostgreSQL (replicated-store.ts). Reads are synchronous; writes go through `transact`, which both
 * backends make atomic for the tenant.
 */
import type { StoreCounts } from '../../contracts/admin-schemas.ts';
import { SalesforceIdFactory } from '../ids/salesforce-id.ts';
import { FilePersistence, type LoadedState, type FilePersistenceOptions } from './file-persistence.ts';
import { LocalTelephonyStore } from './local-store.ts';
import { PostgresDatabase, StoreDatabaseError } from './postgres-database.ts';
import { ReplicatedTelephonyStore } from './replicated-store.ts';
import { SharedLog } from './shared-log.ts';
import type {
  CollectionName,
  ContactRequestRecord,
  ConversationEventRecord,
  ConversationRecord,
  Mutation,
  NumberReservationRecord,
  PendingRoutingRecord,
  RecordingRecord,
  TranscriptEntryRecord,
  VoiceCallRecord,
} from './records.ts';
import { StateIndex } from './state-index.ts';
import { StoreUnavailable } from './store-unavailable.ts';

export { StoreUnavailable };

/** What one run of a write makes: its mutations (none for a read or a refusal) and the answer it leads to. */
export interface WriteAttempt<T> {
  mutations: readonly Mutation[];
  /** The mutations' size change, when the attempt computed it already (admitWrite). */
  change?: ReadonlyMap<string, number>;
  result: T;
}

export interface TelephonyStore {
  readonly kind: 'file' | 'postgres' | 'memory';
  /** The snapshot file, the database URL (without its password), or null in memory. */
  readonly location: string | null;
  /** Whether other processes (replicas) share this store. */
  readonly shared: boolean;
  /** Issues record ids; what it issued is persisted with the next commit. */
  readonly ids: SalesforceIdFactory;
  /** Log lines dropped at load because a crash cut them short (never acknowledged). */
  readonly droppedAtLoad: number;

  getCall(tenant: string, id: string): VoiceCallRecord | undefined;
  legsByVendorKey(tenant: string, vendorCallKey: string): VoiceCallRecord[];
  legsOfConversation(tenant: string, conversationId: string): VoiceCallRecord[];
  getConversation(tenant: string, id: string): ConversationRecord | undefined;
  transcriptsOf(tenant: string, conversationId: string): TranscriptEntryRecord[];
  hasMessageId(tenant: string, conversationId: string, messageId: string): boolean;
  recordingOf(tenant: string, voiceCallId: string): RecordingRecord | undefined;
  pendingRoutingOf(tenant: string, voiceCallId: string): PendingRoutingRecord | undefined;
  contactRequestsOf(tenant: string, voiceCallId: string): ContactRequestRecord[];
  eventsOf(tenant: string, conversationId: string): ConversationEventRecord[];
  /** The tenant's reservations of pool numbers, current and ended (at most one per number). */
  numberReservationsOf(tenant: string): NumberReservationRecord[];
  counts(): StoreCounts;
  /** How many calls the tenant has stored. */
  callCount(tenant: string): number;
  /** How many conversations the tenant has stored. */
  conversationCount(tenant: string): number;
  /** The tenant's conversations, oldest first. */
  conversationsOf(tenant: string): ConversationRecord[];
  /** Deletes every record of the tenant (ids keep counting); resolves to what was removed. */
  resetTenant(tenant: string): Promise<StoreCounts>;
  /** The JSON size of the tenant's records (estimated; see stored-bytes.ts). */
  bytesOf(tenant: string): number;
  /** The JSON size of every tenant's records. */
  totalBytes(): number;
  /** What the mutations would add to each tenant's size, in bytes (before they are committed). */
  sizeChange(mutations: readonly Mutation[]): ReadonlyMap<string, number>;
  /** Every tenant that holds a record. */
  tenants(): Set<string>;
  /** Whether a record with this id is stored. */
  hasRecord(collection: CollectionName, id: string): boolean;
  /** How many transcript messages or events a conversation holds. */
  entriesOf(collection: 'transcripts' | 'events', conversationId: string): number;

  /**
   * Runs `attempt` on the tenant's current state and commits the mutations it returns; resolves to its
   * result once they are durable, or rejects with StoreUnavailable. In one process it runs once, with
   * nothing in between its reads and the commit (Node runs one handler at a time). A replica first
   * catches the tenant up with what other replicas committed, and runs it again when another replica
   * committed for the tenant meanwhile: `attempt` must only read the store and return, or throw (an
   * ApiError ends the write with nothing committed).
   */
  transact<T>(tenant: string, attempt: () => WriteAttempt<T>): Promise<T>;
  /** Brings the tenant up to date with what other replicas committed (nothing to do in one process). */
  sync(tenant: string): Promise<void>;
  /** Brings every tenant up to date, for views across tenants. */
  syncAll(): Promise<void>;
  /** Makes everything durable and releases files. */
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** The snapshot file (its log is <file>.wal); omit for an in-memory store. */
  file?: string;
  /** A PostgreSQL URL (postgres://…): the store's log lives there; excludes `file`. */
  databaseUrl?: string;
  /** Seed for deterministic ids; a stored seed is kept when none is given. */
  seed?: string;
  persistence?: FilePersistenceOptions;
  /**
   * In memory, settle each commit at the end of its turn of the event loop, so that the answers of one
   * turn are written together (store/turn-end.ts). Off by default: in a test process whose fake timers
   * replace setImmediate no commit would settle. `scv-mock start` turns it on.
   */
  settleCommitsAfterTurn?: boolean;
}

/** Opens a store: loads the snapshot and replays the log of a file, or the shared log of a database. */
export async function openStore(options: OpenStoreOptions = {}): Promise<TelephonyStore> {
  if (options.databaseUrl !== undefined) return openReplica(options.databaseUrl, options.seed);
  let state = new StateIndex();
  let seq = 0;
  let dropped = 0;
  let loaded: LoadedState | undefined;
  const persistence = options.file === undefined ? null : new FilePersistence(options.file, options.persistence);
  if (persistence !== null) {
    try {
      loaded = await persistence.load({
        put: (mutation) => state.apply([mutation]),
        lines: {
          fieldsOf: (collection) => state.lineFields(collection),
          readFrom: (fd, file) => state.readLinesFrom(fd, file),
          putLine: (collection, position, length, fields) => state.putLine(collection, position, length, fields),
          finishReading: () => state.finishReadingLines(),
          discard: () => {
            state.closeLines();
            state = new StateIndex();
          },
        },
      });
      if (loaded.snapshot !== null) {
        state.meta = loaded.snapshot.meta;
        seq = loaded.snapshot.seq;
      }
      for (const batch of loaded.batches) {
        state.apply(batch.mutations);
        seq = batch.seq;
      }
    } catch (error) {
      // The log and the snapshot may already be open; a store that does not load must not hold on to them.
      state.closeLines();
      await persistence.release();
      throw error;
    }
    dropped = loaded.droppedTail;
  }
  const stored = state.meta;
  const ids = new SalesforceIdFactory(
    options.seed ?? stored?.idSeed ?? SalesforceIdFactory.randomSeed(),
    stored?.idsIssued ?? 0,
  );
  const store = new LocalTelephonyStore(state, persistence, ids, seq, dropped, options.settleCommitsAfterTurn);
  if (persistence !== null && loaded?.interruptedCompaction === true) await persistence.compact();
  return store;
}

async function openReplica(url: string, seed: string | undefined): Promise<TelephonyStore> {
  const db = await PostgresDatabase.open(url);
  try {
    const log = new SharedLog(db);
    const ids = new SalesforceIdFactory(await log.seed(seed, () => SalesforceIdFactory.randomSeed()));
    return await ReplicatedTelephonyStore.open(new StateIndex(), ids, db, log);
  } catch (error) {
    await db.close();
    if (error instanceof StoreUnavailable) throw new StoreDatabaseError(`${db.location}: ${error.message}`);
    throw error;
  }
}
