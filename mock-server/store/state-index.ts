/**
 * The in-memory state and its indexes. Every read the server does is a map lookup, so request latency
 * does not grow with the number of stored calls. Mutations are applied here synchronously; persistence
 * is a separate layer that records them.
 */
import {
  COLLECTIONS,
  SNAPSHOT_FORMAT,
  type CollectionName,
  type Mutation,
  type RecordsByCollection,
  type SnapshotData,
  type StoreMeta,
  type TenantRecord,
} from './records.ts';

type KeyOf<T> = (record: T) => string | null;

/** A map by id plus secondary indexes that keep their members in insertion order. */
class IndexedCollection<T extends TenantRecord> {
  private readonly byId = new Map<string, T>();
  private readonly indexes = new Map<string, { keyOf: KeyOf<T>; members: Map<string, string[]> }>();

  constructor(indexes: Record<string, KeyOf<T>> = {}) {
    for (const [name, keyOf] of Object.entries(indexes)) this.indexes.set(name, { keyOf, members: new Map() });
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  values(): IterableIterator<T> {
    return this.byId.values();
  }

  put(record: T): void {
    const previous = this.byId.get(record.id);
    this.byId.set(record.id, record);
    for (const index of this.indexes.values()) {
      const key = index.keyOf(record);
      const previousKey = previous === undefined ? null : index.keyOf(previous);
      // An updated record keeps its place, so "first" and "latest" mean creation order.
      if (previous !== undefined && key === previousKey) continue;
      if (previous !== undefined) this.unindexOne(index, previous);
      if (key === null) continue;
      const ids = index.members.get(key);
      if (ids === undefined) index.members.set(key, [record.id]);
      else ids.push(record.id);
    }
  }

  delete(id: string): void {
    const previous = this.byId.get(id);
    if (previous === undefined) return;
    this.unindex(previous);
    this.byId.delete(id);
  }

  find(index: string, key: string): T[] {
    const ids = this.indexes.get(index)?.members.get(key);
    if (ids === undefined) return [];
    const found: T[] = [];
    for (const id of ids) {
      const record = this.byId.get(id);
      if (record !== undefined) found.push(record);
    }
    return found;
  }

  private unindex(record: T): void {
    for (const index of this.indexes.values()) this.unindexOne(index, record);
  }

  private unindexOne(index: { keyOf: KeyOf<T>; members: Map<string, string[]> }, record: T): void {
    const key = index.keyOf(record);
    if (key === null) return;
    const ids = index.members.get(key);
    if (ids === undefined) return;
    const at = ids.indexOf(record.id);
    if (at >= 0) ids.splice(at, 1);
    if (ids.length === 0) index.members.delete(key);
  }
}

const scoped = (tenant: string, key: string): string => `${tenant}\u0000${key}`;
const byTenant = (record: TenantRecord): string => record.tenant;

export class StateIndex {
  meta: StoreMeta | null = null;
  // Every collection is also indexed by tenant, for inspection and reset.
  readonly calls = new IndexedCollection<RecordsByCollection['calls']>({
    tenant: byTenant,
    vendorKey: (call) => scoped(call.tenant, call.vendorCallKey),
    conversation: (call) => call.conversationId,
  });
  readonly conversations = new IndexedCollection<RecordsByCollection['conversations']>({ tenant: byTenant });
  readonly transcripts = new IndexedCollection<RecordsByCollection['transcripts']>({
    tenant: byTenant,
    conversation: (entry) => entry.conversationId,
    messageId: (entry) => scoped(entry.conversationId, entry.messageId),
  });
  readonly recordings = new IndexedCollection<RecordsByCollection['recordings']>({
    tenant: byTenant,
    call: (recording) => recording.voiceCallId,
  });
  readonly routings = new IndexedCollection<RecordsByCollection['routings']>({
    tenant: byTenant,
    call: (routing) => routing.voiceCallId,
  });
  readonly contactRequests = new IndexedCollection<RecordsByCollection['contactRequests']>({
    tenant: byTenant,
    call: (request) => request.voiceCallId,
  });
  readonly events = new IndexedCollection<RecordsByCollection['events']>({
    tenant: byTenant,
    conversation: (event) => event.conversationId,
  });

  /** Mutations that delete every record of a tenant, collection by collection. */
  deletionsOf(tenant: string): Mutation[] {
    return COLLECTIONS.flatMap((name) =>
      this.collection(name)
        .find('tenant', tenant)
        .map((record): Mutation => ({ op: 'delete', collection: name, id: record.id })),
    );
  }

  ofTenant<C extends CollectionName>(name: C, tenant: string): Array<RecordsByCollection[C]> {
    return this.collection(name).find('tenant', tenant);
  }

  private collection<C extends CollectionName>(name: C): IndexedCollection<RecordsByCollection[C]> {
    // One switch-free lookup: the collection fields are named after the collections.
    return this[name] as unknown as IndexedCollection<RecordsByCollection[C]>;
  }

  apply(mutations: readonly Mutation[]): void {
    for (const mutation of mutations) {
      if (mutation.op === 'meta') this.meta = mutation.meta;
      else if (mutation.op === 'delete') this.collection(mutation.collection).delete(mutation.id);
      else this.collection(mutation.collection).put(mutation.record);
    }
  }

  legsByVendorKey(tenant: string, vendorCallKey: string) {
    return this.calls.find('vendorKey', scoped(tenant, vendorCallKey));
  }

  hasMessageId(conversationId: string, messageId: string): boolean {
    return this.transcripts.find('messageId', scoped(conversationId, messageId)).length > 0;
  }

  toSnapshot(seq: number): SnapshotData {
    return {
      format: SNAPSHOT_FORMAT,
      seq,
      meta: this.meta,
      calls: [...this.calls.values()],
      conversations: [...this.conversations.values()],
      transcripts: [...this.transcripts.values()],
      recordings: [...this.recordings.values()],
      routings: [...this.routings.values()],
      contactRequests: [...this.contactRequests.values()],
      events: [...this.events.values()],
    };
  }

  loadSnapshot(snapshot: SnapshotData): void {
    this.meta = snapshot.meta;
    for (const name of COLLECTIONS) {
      const target = this.collection(name);
      for (const record of snapshot[name]) target.put(record);
    }
  }
}
