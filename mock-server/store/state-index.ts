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
  type StoreMeta,
  type TenantRecord,
  upgradeCallRecord,
  upgradeContactRequestRecord,
} from './records.ts';
import type { SnapshotSource } from './snapshot-file.ts';

/** Where a record goes in an index: a scope (e.g. its tenant, or '' for none) and a key within it. */
type KeyOf<T> = (record: T) => readonly [scope: string, key: string] | null;

/**
 * Members of one index key: one id (the common case, no collection) or a Set, which keeps insertion
 * order and removes in constant time (a reset removes every call of a tenant from one key).
 */
type Members = string | Set<string>;

/**
 * The keys of one scope. Many scopes hold a single key (the message ids of a conversation with one
 * transcript message), and a Map costs about 150 bytes more than this pair, per scope.
 */
type ScopeKeys = Map<string, Members> | { key: string; members: Members };

interface Index<T> {
  keyOf: KeyOf<T>;
  // Two levels rather than concatenated "scope+key" strings: no string is built per record.
  scopes: Map<string, ScopeKeys>;
}

function membersOf(keys: ScopeKeys | undefined, key: string): Members | undefined {
  if (keys === undefined) return undefined;
  if (keys instanceof Map) return keys.get(key);
  return keys.key === key ? keys.members : undefined;
}

/** Sets (or, with undefined, removes) a key's members; returns the scope's keys, or undefined when none are left. */
function withMembers(keys: ScopeKeys | undefined, key: string, members: Members): ScopeKeys;
function withMembers(keys: ScopeKeys | undefined, key: string, members: Members | undefined): ScopeKeys | undefined;
function withMembers(keys: ScopeKeys | undefined, key: string, members: Members | undefined): ScopeKeys | undefined {
  if (keys === undefined) return members === undefined ? undefined : { key, members };
  if (!(keys instanceof Map) && keys.key === key) {
    if (members === undefined) return undefined;
    keys.members = members;
    return keys;
  }
  if (!(keys instanceof Map)) {
    if (members === undefined) return keys;
    return new Map([
      [keys.key, keys.members],
      [key, members],
    ]);
  }
  if (members === undefined) keys.delete(key);
  else keys.set(key, members);
  if (keys.size > 1) return keys;
  const only = keys.entries().next().value;
  return only === undefined ? undefined : { key: only[0], members: only[1] };
}

/** A map by id plus secondary indexes that keep their members in insertion order. */
class IndexedCollection<T extends TenantRecord> {
  private readonly byId = new Map<string, T>();
  private readonly indexes = new Map<string, Index<T>>();

  constructor(indexes: Record<string, KeyOf<T>> = {}) {
    for (const [name, keyOf] of Object.entries(indexes)) this.indexes.set(name, { keyOf, scopes: new Map() });
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
      const place = index.keyOf(record);
      const previousPlace = previous === undefined ? null : index.keyOf(previous);
      // An updated record keeps its place, so "first" and "latest" mean creation order.
      if (previous !== undefined && place?.[0] === previousPlace?.[0] && place?.[1] === previousPlace?.[1]) continue;
      if (previousPlace !== null) remove(index, previousPlace, record.id);
      if (place === null) continue;
      const keys = index.scopes.get(place[0]);
      const members = membersOf(keys, place[1]);
      if (typeof members === 'object') members.add(record.id);
      else {
        const grown = withMembers(keys, place[1], members === undefined ? record.id : new Set([members, record.id]));
        if (grown !== keys) index.scopes.set(place[0], grown);
      }
    }
  }

  delete(id: string): void {
    const previous = this.byId.get(id);
    if (previous === undefined) return;
    for (const index of this.indexes.values()) {
      const place = index.keyOf(previous);
      if (place !== null) remove(index, place, id);
    }
    this.byId.delete(id);
  }

  /** The keys an index holds in a scope (e.g. every tenant). */
  keys(index: string, scope = ''): string[] {
    const keys = this.indexes.get(index)?.scopes.get(scope);
    if (keys === undefined) return [];
    return keys instanceof Map ? [...keys.keys()] : [keys.key];
  }

  /** How many records an index key holds, without collecting them. */
  count(index: string, key: string, scope = ''): number {
    const members = membersOf(this.indexes.get(index)?.scopes.get(scope), key);
    return members === undefined ? 0 : typeof members === 'string' ? 1 : members.size;
  }

  find(index: string, key: string, scope = ''): T[] {
    const members = membersOf(this.indexes.get(index)?.scopes.get(scope), key);
    if (members === undefined) return [];
    const found: T[] = [];
    for (const id of typeof members === 'string' ? [members] : members) {
      const record = this.byId.get(id);
      if (record !== undefined) found.push(record);
    }
    return found;
  }
}

function remove<T>(index: Index<T>, [scope, key]: readonly [string, string], id: string): void {
  const keys = index.scopes.get(scope);
  const members = membersOf(keys, key);
  if (members === undefined) return;
  let left: Members | undefined = members;
  if (typeof members === 'string') {
    if (members === id) left = undefined;
  } else {
    members.delete(id);
    if (members.size === 1) left = members.values().next().value!;
    else if (members.size === 0) left = undefined;
  }
  if (left === members) return;
  const rest = withMembers(keys, key, left);
  if (rest === undefined) index.scopes.delete(scope);
  else if (rest !== keys) index.scopes.set(scope, rest);
}

/**
 * One copy of each small, often repeated string (tenants, contact centers, enum values, phone numbers).
 * JSON.parse and request bodies make a new copy of every value; with hundreds of thousands of records
 * the copies cost more than the records' own data. Bounded, so unusual traffic cannot grow it forever.
 */
class StringPool {
  private readonly strings = new Map<string, string>();

  constructor(private readonly limit = 20_000) {}

  get(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (value.length <= 64 && this.strings.size < this.limit) this.strings.set(value, value);
    return value;
  }
}

/** The known copy when it holds the same value, so the record keeps one string instead of two. */
const same = <V extends string | null>(value: V, known: V | undefined): V =>
  known !== undefined && known === value ? known : value;

type Participants = RecordsByCollection['calls']['participants'];

function ownKeyCount(value: object): number {
  let count = 0;
  for (const key in value) if (Object.hasOwn(value, key)) count += 1;
  return count;
}

const unscoped = (key: string): readonly [string, string] => ['', key];
const byTenant = (record: TenantRecord) => unscoped(record.tenant);

export class StateIndex {
  meta: StoreMeta | null = null;
  // Every collection is also indexed by tenant, for inspection and reset.
  readonly calls = new IndexedCollection<RecordsByCollection['calls']>({
    tenant: byTenant,
    vendorKey: (call) => [call.tenant, call.vendorCallKey],
    conversation: (call) => unscoped(call.conversationId),
  });
  readonly conversations = new IndexedCollection<RecordsByCollection['conversations']>({ tenant: byTenant });
  readonly transcripts = new IndexedCollection<RecordsByCollection['transcripts']>({
    tenant: byTenant,
    conversation: (entry) => unscoped(entry.conversationId),
  });
  /**
   * How many of a conversation's transcript entries carry each message id, for the conversations a
   * request has asked about (hasMessageId), kept up to date from then on. An index of every stored
   * conversation cost a scope object each and work for every record read at start, and most stored
   * conversations never take another message.
   */
  private readonly messageIds = new Map<string, Map<string, number>>();
  readonly recordings = new IndexedCollection<RecordsByCollection['recordings']>({
    tenant: byTenant,
    call: (recording) => unscoped(recording.voiceCallId),
  });
  readonly routings = new IndexedCollection<RecordsByCollection['routings']>({
    tenant: byTenant,
    call: (routing) => unscoped(routing.voiceCallId),
  });
  readonly contactRequests = new IndexedCollection<RecordsByCollection['contactRequests']>({
    tenant: byTenant,
    call: (request) => unscoped(request.voiceCallId),
  });
  readonly events = new IndexedCollection<RecordsByCollection['events']>({
    tenant: byTenant,
    conversation: (event) => unscoped(event.conversationId),
  });
  readonly numberReservations = new IndexedCollection<RecordsByCollection['numberReservations']>({ tenant: byTenant });

  /** How many records of each collection a tenant has. */
  countsOf(tenant: string): Record<CollectionName, number> {
    return Object.fromEntries(
      COLLECTIONS.map((name) => [name, this.collection(name).count('tenant', tenant)]),
    ) as Record<CollectionName, number>;
  }

  private dropTenant(tenant: string): void {
    // Rare: every conversation's message ids are counted again when next asked about.
    this.messageIds.clear();
    for (const name of COLLECTIONS) {
      const collection = this.collection(name);
      for (const record of collection.find('tenant', tenant)) collection.delete(record.id);
    }
  }

  record<C extends CollectionName>(name: C, id: string): RecordsByCollection[C] | undefined {
    return this.collection(name).get(id);
  }

  all<C extends CollectionName>(name: C): IterableIterator<RecordsByCollection[C]> {
    return this.collection(name).values();
  }

  /** Every tenant that holds a record. */
  tenants(): Set<string> {
    const tenants = new Set<string>();
    for (const name of COLLECTIONS) for (const tenant of this.collection(name).keys('tenant')) tenants.add(tenant);
    return tenants;
  }

  /** How many records an index of a collection holds under a key (e.g. transcripts by conversation). */
  countIn(name: CollectionName, index: string, key: string): number {
    return this.collection(name).count(index, key);
  }

  ofTenant<C extends CollectionName>(name: C, tenant: string): Array<RecordsByCollection[C]> {
    return this.collection(name).find('tenant', tenant);
  }

  private collection<C extends CollectionName>(name: C): IndexedCollection<RecordsByCollection[C]> {
    // One switch-free lookup: the collection fields are named after the collections.
    return this[name] as unknown as IndexedCollection<RecordsByCollection[C]>;
  }

  private readonly pool = new StringPool();
  private readonly participantLists = new Map<string, Participants>();
  private readonly singleCallerLists = new Map<string, Participants>();

  /**
   * Records are never changed in place, so identical participant lists can be one frozen list. The usual
   * list, one END_USER, is found by its participantKey; others by their JSON (building it was work for
   * every call read at start).
   */
  private sharedParticipants(participants: Participants): Participants {
    const only = participants.length === 1 ? participants[0]! : undefined;
    const single = only !== undefined && only.type === 'END_USER' && ownKeyCount(only) === 2;
    const lists = single ? this.singleCallerLists : this.participantLists;
    const key = single ? only.participantKey : JSON.stringify(participants);
    let list = lists.get(key);
    if (list === undefined && this.participantLists.size + this.singleCallerLists.size < 20_000) {
      list = Object.freeze(participants) as Participants;
      lists.set(key, list);
    }
    return list ?? participants;
  }

  apply(mutations: readonly Mutation[]): void {
    for (const mutation of mutations) {
      if (mutation.op === 'meta') this.meta = mutation.meta;
      else if (mutation.op === 'delete') {
        if (mutation.collection === 'transcripts') this.countMessage(this.transcripts.get(mutation.id), -1);
        this.collection(mutation.collection).delete(mutation.id);
      } else if (mutation.op === 'dropTenant') this.dropTenant(mutation.tenant);
      else {
        this.share(mutation);
        if (mutation.collection === 'transcripts') {
          this.countMessage(this.transcripts.get(mutation.record.id), -1);
          this.countMessage(mutation.record, 1);
        }
        this.collection(mutation.collection).put(mutation.record);
      }
    }
  }

  /**
   * Points a record's strings at copies the state already holds: pooled values for repeated small
   * strings, and the referenced record's own id for references. Same content, one copy in memory.
   */
  private share(mutation: Extract<Mutation, { op: 'put' }>): void {
    const p = (value: string) => this.pool.get(value);
    const pn = (value: string | null) => (value === null ? null : this.pool.get(value));
    const record = mutation.record;
    record.tenant = p(record.tenant);
    switch (mutation.collection) {
      case 'calls': {
        const call = mutation.record;
        upgradeCallRecord(call);
        call.endedBy = pn(call.endedBy) as typeof call.endedBy;
        call.callCenterApiName = p(call.callCenterApiName);
        call.callType = p(call.callType) as typeof call.callType;
        call.disposition = p(call.disposition) as typeof call.disposition;
        call.createdVia = p(call.createdVia) as typeof call.createdVia;
        call.from = pn(call.from);
        call.to = pn(call.to);
        call.callSubtype = pn(call.callSubtype);
        call.callOrigin = pn(call.callOrigin) as typeof call.callOrigin;
        call.providerName = pn(call.providerName);
        const previous = this.calls.get(call.id);
        call.conversationId =
          this.conversations.get(call.conversationId)?.id ?? previous?.conversationId ?? call.conversationId;
        // Timestamps: a request's records share one string, but a snapshot or log read makes a copy of
        // each (nine per call with its conversation and a transcript message).
        call.createdAt = same(call.createdAt, previous?.createdAt);
        call.updatedAt = same(call.updatedAt, call.createdAt);
        call.startTime = same(call.startTime, previous?.startTime);
        call.endTime = same(call.endTime, previous?.endTime);
        call.participants = this.sharedParticipants(call.participants);
        break;
      }
      case 'conversations': {
        const conversation = mutation.record;
        const first = this.calls.get(conversation.firstCallId);
        conversation.callCenterApiName = p(conversation.callCenterApiName);
        conversation.status = p(conversation.status) as typeof conversation.status;
        if (first !== undefined) {
          conversation.createdAt = same(conversation.createdAt, first.createdAt);
          conversation.startTime = same(conversation.startTime, first.startTime);
          conversation.endTime = same(conversation.endTime, first.endTime);
          conversation.closedAt = same(conversation.closedAt, first.updatedAt);
          conversation.id = first.conversationId === conversation.id ? first.conversationId : conversation.id;
          conversation.firstCallId = first.id;
          conversation.firstVendorCallKey =
            first.vendorCallKey === conversation.firstVendorCallKey
              ? first.vendorCallKey
              : conversation.firstVendorCallKey;
        }
        break;
      }
      case 'transcripts':
      case 'events': {
        const entry = mutation.record;
        entry.conversationId = this.conversations.get(entry.conversationId)?.id ?? entry.conversationId;
        if (mutation.collection === 'transcripts') mutation.record.senderType = p(mutation.record.senderType);
        break;
      }
      case 'numberReservations':
        break;
      case 'contactRequests':
        upgradeContactRequestRecord(mutation.record);
        mutation.record.voiceCallId = this.calls.get(mutation.record.voiceCallId)?.id ?? mutation.record.voiceCallId;
        break;
      default: {
        const attached = mutation.record;
        attached.voiceCallId = this.calls.get(attached.voiceCallId)?.id ?? attached.voiceCallId;
      }
    }
  }

  legsByVendorKey(tenant: string, vendorCallKey: string) {
    return this.calls.find('vendorKey', vendorCallKey, tenant);
  }

  hasMessageId(conversationId: string, messageId: string): boolean {
    let counts = this.messageIds.get(conversationId);
    if (counts === undefined) {
      counts = new Map();
      for (const entry of this.transcripts.find('conversation', conversationId))
        counts.set(entry.messageId, (counts.get(entry.messageId) ?? 0) + 1);
      // None yet: nothing to keep up to date, and the next question counts again.
      if (counts.size > 0) this.messageIds.set(conversationId, counts);
    }
    return counts.has(messageId);
  }

  /** Counts a transcript entry in or out of its conversation's message ids, when they are being kept. */
  private countMessage(entry: RecordsByCollection['transcripts'] | undefined, by: 1 | -1): void {
    if (entry === undefined) return;
    const counts = this.messageIds.get(entry.conversationId);
    if (counts === undefined) return;
    const count = (counts.get(entry.messageId) ?? 0) + by;
    if (count > 0) counts.set(entry.messageId, count);
    else counts.delete(entry.messageId);
    if (counts.size === 0) this.messageIds.delete(entry.conversationId);
  }

  /** The state as a snapshot: the header and each collection's live records. */
  snapshotSource(seq: number): SnapshotSource {
    return {
      header: { format: SNAPSHOT_FORMAT, seq, meta: this.meta },
      records: {
        calls: this.calls.values(),
        conversations: this.conversations.values(),
        transcripts: this.transcripts.values(),
        recordings: this.recordings.values(),
        routings: this.routings.values(),
        contactRequests: this.contactRequests.values(),
        events: this.events.values(),
        numberReservations: this.numberReservations.values(),
      },
    };
  }
}
