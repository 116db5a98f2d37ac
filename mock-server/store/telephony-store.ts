/**
 * The store interface the server talks to, and its implementation: an in-memory state index, optionally
 * persisted on files: a write-ahead log and a snapshot in lowdb's JSON format. Another backend only has to implement
 * `TelephonyStore`.
 *
 * Reads are synchronous and a commit applies its mutations synchronously before it waits for the disk,
 * so a handler that reads and then commits without awaiting in between is atomic: Node runs one
 * request's handler at a time, and nothing is half-written when the commit is refused or fails.
 */
import type { StoreCounts } from '../../contracts/admin-schemas.ts';
import { SalesforceIdFactory } from '../ids/salesforce-id.ts';
import {
  FilePersistence,
  type LoadedState,
  type FilePersistenceOptions,
  type LoggedBatch,
} from './file-persistence.ts';
import { PostgresPersistence } from './postgres-persistence.ts';
import type { SnapshotSource } from './snapshot-file.ts';

/** Where a store's batches go: a file (the log and its snapshot) or a PostgreSQL database. */
interface StorePersistence {
  readonly kind: 'file' | 'postgres';
  /** The file, or the database URL without its password. */
  readonly location: string;
  load(apply: (mutation: Mutation) => void): Promise<LoadedState>;
  append(batch: LoggedBatch): Promise<void>;
  setSnapshotSource(source: () => SnapshotSource): void;
  compact(): Promise<void>;
  release(): Promise<void>;
  close(): Promise<void>;
}
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
import { StoredBytes } from './stored-bytes.ts';

export interface TelephonyStore {
  readonly kind: 'file' | 'postgres' | 'memory';
  /** The snapshot file, or null in memory. */
  readonly location: string | null;
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
   * Applies the mutations now; resolves once they are durable. `change` is their sizeChange when the
   * caller has it already.
   */
  commit(mutations: readonly Mutation[], change?: ReadonlyMap<string, number>): Promise<void>;
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
}

const inTenant = <T extends { tenant: string }>(tenant: string, record: T | undefined): T | undefined =>
  record !== undefined && record.tenant === tenant ? record : undefined;

class IndexedTelephonyStore implements TelephonyStore {
  private seq: number;
  private issuedAtLastCommit: number;
  private readonly bytes: StoredBytes;

  constructor(
    private readonly state: StateIndex,
    private readonly persistence: StorePersistence | null,
    readonly ids: SalesforceIdFactory,
    seq: number,
    readonly droppedAtLoad: number,
  ) {
    this.seq = seq;
    this.issuedAtLastCommit = ids.issued;
    this.bytes = new StoredBytes(state);
    persistence?.setSnapshotSource(() => this.state.snapshotSource(this.seq));
  }

  get kind(): 'file' | 'postgres' | 'memory' {
    return this.persistence?.kind ?? 'memory';
  }

  get location(): string | null {
    return this.persistence?.location ?? null;
  }

  getCall(tenant: string, id: string) {
    return inTenant(tenant, this.state.calls.get(id));
  }

  legsByVendorKey(tenant: string, vendorCallKey: string) {
    return this.state.legsByVendorKey(tenant, vendorCallKey);
  }

  legsOfConversation(tenant: string, conversationId: string) {
    return this.state.calls.find('conversation', conversationId).filter((call) => call.tenant === tenant);
  }

  getConversation(tenant: string, id: string) {
    return inTenant(tenant, this.state.conversations.get(id));
  }

  transcriptsOf(tenant: string, conversationId: string) {
    return this.state.transcripts.find('conversation', conversationId).filter((entry) => entry.tenant === tenant);
  }

  hasMessageId(tenant: string, conversationId: string, messageId: string) {
    return (
      this.getConversation(tenant, conversationId) !== undefined && this.state.hasMessageId(conversationId, messageId)
    );
  }

  recordingOf(tenant: string, voiceCallId: string) {
    return inTenant(tenant, this.state.recordings.find('call', voiceCallId)[0]);
  }

  pendingRoutingOf(tenant: string, voiceCallId: string) {
    return inTenant(tenant, this.state.routings.find('call', voiceCallId)[0]);
  }

  contactRequestsOf(tenant: string, voiceCallId: string) {
    return this.state.contactRequests.find('call', voiceCallId).filter((request) => request.tenant === tenant);
  }

  eventsOf(tenant: string, conversationId: string) {
    return this.state.events.find('conversation', conversationId).filter((event) => event.tenant === tenant);
  }

  numberReservationsOf(tenant: string) {
    return this.state.ofTenant('numberReservations', tenant);
  }

  counts(): StoreCounts {
    const s = this.state;
    return {
      calls: s.calls.size,
      conversations: s.conversations.size,
      transcripts: s.transcripts.size,
      recordings: s.recordings.size,
      routings: s.routings.size,
      contactRequests: s.contactRequests.size,
      events: s.events.size,
      numberReservations: s.numberReservations.size,
    };
  }

  callCount(tenant: string): number {
    return this.state.calls.count('tenant', tenant);
  }

  conversationCount(tenant: string): number {
    return this.state.conversations.count('tenant', tenant);
  }

  conversationsOf(tenant: string) {
    return this.state.ofTenant('conversations', tenant);
  }

  async resetTenant(tenant: string): Promise<StoreCounts> {
    const removed = this.state.countsOf(tenant);
    await this.commit([{ op: 'dropTenant', tenant }]);
    return removed;
  }

  bytesOf(tenant: string): number {
    return this.bytes.of(tenant);
  }

  totalBytes(): number {
    return this.bytes.total();
  }

  sizeChange(mutations: readonly Mutation[]): ReadonlyMap<string, number> {
    return this.bytes.change(mutations);
  }

  tenants(): Set<string> {
    return this.state.tenants();
  }

  hasRecord(collection: CollectionName, id: string): boolean {
    return this.state.record(collection, id) !== undefined;
  }

  entriesOf(collection: 'transcripts' | 'events', conversationId: string): number {
    return this.state.countIn(collection, 'conversation', conversationId);
  }

  commit(mutations: readonly Mutation[], change = this.bytes.change(mutations)): Promise<void> {
    const batch: Mutation[] = [...mutations];
    if (this.ids.issued !== this.issuedAtLastCommit) {
      batch.push({ op: 'meta', meta: { idSeed: this.ids.seed, idsIssued: this.ids.issued } });
      this.issuedAtLastCommit = this.ids.issued;
    }
    if (batch.length === 0) return Promise.resolve();
    this.state.apply(batch);
    this.bytes.applied(change);
    this.seq += 1;
    return this.persistence === null ? Promise.resolve() : this.persistence.append({ seq: this.seq, mutations: batch });
  }

  async close(): Promise<void> {
    await this.persistence?.close();
  }
}

/** Opens a store: loads the snapshot and replays the log when a file is given. */
export async function openStore(options: OpenStoreOptions = {}): Promise<TelephonyStore> {
  const state = new StateIndex();
  let seq = 0;
  let dropped = 0;
  let loaded: LoadedState | undefined;
  const persistence: StorePersistence | null =
    options.databaseUrl !== undefined
      ? new PostgresPersistence(options.databaseUrl)
      : options.file !== undefined
        ? new FilePersistence(options.file, options.persistence)
        : null;
  if (persistence !== null) {
    try {
      loaded = await persistence.load((mutation) => state.apply([mutation]));
      if (loaded.snapshot !== null) {
        state.meta = loaded.snapshot.meta;
        seq = loaded.snapshot.seq;
      }
      for (const batch of loaded.batches) {
        state.apply(batch.mutations);
        seq = batch.seq;
      }
    } catch (error) {
      // The log may already be open; a store that does not load must not hold on to it.
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
  const store = new IndexedTelephonyStore(state, persistence, ids, seq, dropped);
  if (persistence !== null && loaded?.interruptedCompaction === true) await persistence.compact();
  return store;
}
