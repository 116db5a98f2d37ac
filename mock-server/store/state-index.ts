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
import { jsonSizeOf } from './json-size.ts';
import { fieldMarkers, fieldSpans } from './line-fields.ts';
import { HeldLines } from './held-lines.ts';
import { StoreUnavailable } from './store-unavailable.ts';

/**
 * An index by one text field of the records, within the scope of another (their tenant, say) or of none.
 * Indexes are named by fields rather than functions so that a record still held as its JSON line is
 * indexed by the same fields, read from the line without parsing it.
 */
interface IndexFields {
  key: string;
  scope?: string;
}

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

interface Index {
  fields: IndexFields;
  // Two levels rather than concatenated "scope+key" strings: no string is built per record.
  scopes: Map<string, ScopeKeys>;
  /**
   * The key last added to when its members were a Set, until something is removed from the index: records
   * come in runs of one key (a tenant's, a conversation's), and a start on a large store then skips two
   * map lookups for most of its records.
   */
  lastAdded: { scope: string; key: string; members: Set<string> } | null;
  /**
   * The one place of every record of the collection, while all are at one (a store of one tenant: its
   * tenant index). Its members are then the collection's ids, not stored here (`scopes` is empty): a
   * large store saves a Set entry per record, and a fifth of its start. Cleared, and the members stored,
   * when a record comes at another place or moves there.
   */
  everyRecord: { scope: string; key: string } | null;
}

/** Where a record goes in an index: a scope ('' for none) and a key within it. */
function placeOf(index: Index, record: object): readonly [scope: string, key: string] {
  const fields = record as Record<string, string>;
  return [index.fields.scope === undefined ? '' : fields[index.fields.scope]!, fields[index.fields.key]!];
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

/**
 * A map by id plus secondary indexes that keep their members in insertion order. A record read from a
 * snapshot may stay the JSON line it was read from until something reads it (`putLine`): a start on a
 * large store then indexes each line by a few fields found in its text instead of parsing it.
 */
class IndexedCollection<T extends TenantRecord> {
  /** Each record, or the number of the JSON line it is still held as (in `lines`). */
  private readonly byId = new Map<string, T | number>();
  private readonly indexes: Index[] = [];
  /** The fields a line is indexed by: id first, then each index's scope and key. */
  readonly lineFields: readonly string[];

  constructor(
    indexes: Record<string, IndexFields>,
    private readonly lines: HeldLines,
    private readonly parseLine: (line: string) => T,
  ) {
    const names = new Map<string, Index>();
    const fields = new Set(['id']);
    for (const [name, index] of Object.entries(indexes)) {
      const entry: Index = { fields: index, scopes: new Map(), lastAdded: null, everyRecord: null };
      names.set(name, entry);
      this.indexes.push(entry);
      if (index.scope !== undefined) fields.add(index.scope);
      fields.add(index.key);
    }
    this.indexNames = names;
    this.lineFields = [...fields];
    this.lineMarkers = fieldMarkers(this.lineFields);
    this.lineFieldsAt = this.indexes.map((index) => [
      index.fields.scope === undefined ? -1 : this.lineFields.indexOf(index.fields.scope),
      this.lineFields.indexOf(index.fields.key),
    ]);
  }

  private readonly lineMarkers: readonly string[];
  /** Per index, where its scope (-1: none) and key are in lineFields. */
  private readonly lineFieldsAt: ReadonlyArray<readonly [number, number]>;

  private readonly indexNames: Map<string, Index>;

  get size(): number {
    return this.byId.size;
  }

  get(id: string): T | undefined {
    const stored = this.byId.get(id);
    if (typeof stored !== 'number') return stored;
    // Released only once parsed: a line that fails stays held.
    const record = this.parseLine(this.lines.text(stored));
    if (record.id !== id)
      throw new StoreUnavailable(
        `the record held as ${id} reads as ${record.id}: the data file was changed under the mock`,
      );
    this.lines.release(stored);
    this.byId.set(id, record);
    return record;
  }

  /** The record if it is parsed already, without parsing a line. */
  peek(id: string): T | undefined {
    const stored = this.byId.get(id);
    return typeof stored === 'number' ? undefined : stored;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  *values(): IterableIterator<T> {
    for (const id of this.byId.keys()) yield this.get(id)!;
  }

  /** Each record as it is held: parsed, or still its JSON line (what a snapshot writes as is). */
  *stored(): IterableIterator<T | string> {
    for (const stored of this.byId.values()) yield typeof stored === 'number' ? this.lines.text(stored) : stored;
  }

  /**
   * Each record's tenant and size as JSON: `sizeOf` for a parsed record, the length of a line. By the
   * tenant index, so that no line is parsed.
   */
  *sizesByTenant(sizeOf: (record: T) => number): IterableIterator<[tenant: string, bytes: number]> {
    for (const tenant of this.keys('tenant')) {
      for (const id of this.idsAt(this.indexNames.get('tenant')!, '', tenant)) {
        const stored = this.byId.get(id);
        if (stored !== undefined)
          yield [tenant, typeof stored === 'number' ? this.lines.length(stored) : sizeOf(stored)];
      }
    }
  }

  put(record: T): void {
    const previous = this.get(record.id);
    this.byId.set(record.id, record);
    for (const index of this.indexes) {
      const place = placeOf(index, record);
      const previousPlace = previous === undefined ? null : placeOf(index, previous);
      // An updated record keeps its place, so "first" and "latest" mean creation order.
      if (previousPlace !== null && place[0] === previousPlace[0] && place[1] === previousPlace[1]) continue;
      if (previousPlace !== null) this.removeFrom(index, previousPlace, record.id);
      this.addTo(index, place[0], place[1], record.id);
    }
  }

  /**
   * Holds a record as its JSON line (ASCII, `length` bytes at `position` in the file the lines are read
   * from), indexed by `fields` (the values of lineFields, in order), or returns false when a record of
   * that id is held already or the line cannot be held (the caller parses the line and puts it).
   */
  putLine(position: number, length: number, fields: readonly string[]): boolean {
    const id = fields[0]!;
    if (this.byId.has(id)) return false;
    const line = this.lines.hold(position, length);
    if (line === null) return false;
    this.byId.set(id, line);
    for (let i = 0; i < this.indexes.length; i++) {
      const [scopeAt, keyAt] = this.lineFieldsAt[i]!;
      this.addTo(this.indexes[i]!, scopeAt < 0 ? '' : fields[scopeAt]!, fields[keyAt]!, id);
    }
    return true;
  }

  /** Adds the id (already in byId) at a place of the index. */
  private addTo(index: Index, scope: string, key: string, id: string): void {
    const every = index.everyRecord;
    if (every !== null) {
      if (every.key === key && every.scope === scope) return;
      this.storeEveryRecord(index, id);
    } else if (this.byId.size === 1 && index.scopes.size === 0) {
      // The first record: until one comes at another place, every record is at its place.
      index.everyRecord = { scope, key };
      index.lastAdded = null;
      return;
    }
    const last = index.lastAdded;
    if (last !== null && last.key === key && last.scope === scope) {
      last.members.add(id);
      return;
    }
    const keys = index.scopes.get(scope);
    const members = membersOf(keys, key);
    if (typeof members === 'object') {
      members.add(id);
      index.lastAdded = { scope, key, members };
    } else {
      const grown = withMembers(keys, key, members === undefined ? id : new Set([members, id]));
      if (grown !== keys) index.scopes.set(scope, grown);
    }
  }

  /**
   * Removes a record. One still held as its line is not parsed: its places come from the fields found in
   * its text, as when it was indexed (a reset of a large tenant would otherwise parse all of it, and its
   * sizes would change while it was being dropped).
   */
  delete(id: string): void {
    const stored = this.byId.get(id);
    if (stored === undefined) return;
    if (typeof stored === 'number') {
      const line = this.lines.text(stored);
      const spans = fieldSpans(line, this.lineMarkers)!;
      const fields = this.lineFields.map((_, i) => line.slice(spans[2 * i], spans[2 * i + 1]));
      for (let i = 0; i < this.indexes.length; i++) {
        const [scopeAt, keyAt] = this.lineFieldsAt[i]!;
        this.removeFrom(this.indexes[i]!, [scopeAt < 0 ? '' : fields[scopeAt]!, fields[keyAt]!], id);
      }
      this.lines.release(stored);
    } else {
      for (const index of this.indexes) this.removeFrom(index, placeOf(index, stored), id);
    }
    this.byId.delete(id);
    if (this.byId.size === 0) for (const index of this.indexes) index.everyRecord = null;
  }

  /**
   * Takes the id from a place of the index. With every record at one place nothing is stored: a deleted
   * record leaves byId next, and a moved one is added at its new place next, which stores the others.
   */
  private removeFrom(index: Index, place: readonly [string, string], id: string): void {
    if (index.everyRecord === null) remove(index, place, id);
  }

  /** Stores the members of everyRecord's place: every id but `leaving`, which is being added elsewhere. */
  private storeEveryRecord(index: Index, leaving: string): void {
    const every = index.everyRecord!;
    index.everyRecord = null;
    const ids = new Set(this.byId.keys());
    ids.delete(leaving);
    // Stored as remove() leaves them: one id on its own, a Set of more.
    if (ids.size > 0)
      index.scopes.set(every.scope, { key: every.key, members: ids.size === 1 ? ids.values().next().value! : ids });
  }

  /** The ids at a place of the index, in the order they came. */
  private idsAt(index: Index, scope: string, key: string): Iterable<string> {
    const every = index.everyRecord;
    if (every !== null) return every.scope === scope && every.key === key ? this.byId.keys() : [];
    const members = membersOf(index.scopes.get(scope), key);
    return members === undefined ? [] : typeof members === 'string' ? [members] : members;
  }

  /** The ids an index key holds, without parsing lines. */
  idsOf(index: string, key: string, scope = ''): string[] {
    const named = this.indexNames.get(index);
    return named === undefined ? [] : [...this.idsAt(named, scope, key)];
  }

  /** The keys an index holds in a scope (e.g. every tenant). */
  keys(index: string, scope = ''): string[] {
    const every = this.indexNames.get(index)?.everyRecord;
    if (every !== undefined && every !== null) return every.scope === scope ? [every.key] : [];
    const keys = this.indexNames.get(index)?.scopes.get(scope);
    if (keys === undefined) return [];
    return keys instanceof Map ? [...keys.keys()] : [keys.key];
  }

  /** How many records an index key holds, without collecting them. */
  count(index: string, key: string, scope = ''): number {
    const named = this.indexNames.get(index);
    const every = named?.everyRecord;
    if (every !== undefined && every !== null) return every.scope === scope && every.key === key ? this.byId.size : 0;
    const members = membersOf(named?.scopes.get(scope), key);
    return members === undefined ? 0 : typeof members === 'string' ? 1 : members.size;
  }

  find(index: string, key: string, scope = ''): T[] {
    const named = this.indexNames.get(index);
    if (named === undefined) return [];
    const found: T[] = [];
    for (const id of this.idsAt(named, scope, key)) {
      const record = this.get(id);
      if (record !== undefined) found.push(record);
    }
    return found;
  }
}

function remove(index: Index, [scope, key]: readonly [string, string], id: string): void {
  // A Set may become a single id or go: the next add looks its key up again.
  index.lastAdded = null;
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

const TENANT: IndexFields = { key: 'tenant' };

export class StateIndex {
  meta: StoreMeta | null = null;
  /** The JSON lines of records not read since the store was opened. */
  private readonly lines = new HeldLines();
  /**
   * Told when a record held as its JSON line is parsed: its tenant, and how much larger its estimated
   * JSON size (jsonSizeOf) is than the line's length, which is what it was counted as while a line.
   */
  onLineParsed: ((tenant: string, sizeChange: number, record: TenantRecord) => void) | null = null;
  // Every collection is also indexed by tenant, for inspection and reset.
  readonly calls = this.indexed('calls', {
    tenant: TENANT,
    vendorKey: { scope: 'tenant', key: 'vendorCallKey' },
    conversation: { key: 'conversationId' },
  });
  readonly conversations = this.indexed('conversations', { tenant: TENANT });
  readonly transcripts = this.indexed('transcripts', { tenant: TENANT, conversation: { key: 'conversationId' } });
  /**
   * How many of a conversation's transcript entries carry each message id, for the conversations a
   * request has asked about (hasMessageId), kept up to date from then on. An index of every stored
   * conversation cost a scope object each and work for every record read at start, and most stored
   * conversations never take another message.
   */
  private readonly messageIds = new Map<string, Map<string, number>>();
  readonly recordings = this.indexed('recordings', { tenant: TENANT, call: { key: 'voiceCallId' } });
  readonly routings = this.indexed('routings', { tenant: TENANT, call: { key: 'voiceCallId' } });
  readonly contactRequests = this.indexed('contactRequests', { tenant: TENANT, call: { key: 'voiceCallId' } });
  readonly events = this.indexed('events', { tenant: TENANT, conversation: { key: 'conversationId' } });
  readonly numberReservations = this.indexed('numberReservations', { tenant: TENANT });

  /** A collection with these indexes (besides its ids), whose held lines this state parses. */
  private indexed<C extends CollectionName>(
    name: C,
    indexes: Record<string, IndexFields>,
  ): IndexedCollection<RecordsByCollection[C]> {
    return new IndexedCollection<RecordsByCollection[C]>(indexes, this.lines, (line) => this.parsedLine(name, line));
  }

  /**
   * A record held as its JSON line, now read: parsed, brought to the current shape and given the shared
   * strings a record put directly gets. Its line was checked when the store was opened.
   */
  private parsedLine<C extends CollectionName>(collection: C, line: string): RecordsByCollection[C] {
    const record = JSON.parse(line) as RecordsByCollection[C];
    this.share({ op: 'put', collection, record } as Extract<Mutation, { op: 'put' }>);
    this.onLineParsed?.(record.tenant, jsonSizeOf(record) - line.length, record);
    return record;
  }

  /** The fields `putLine` needs for a record of the collection, in order (id first). */
  lineFields(collection: CollectionName): readonly string[] {
    return this.collection(collection).lineFields;
  }

  /** Records put with putLine are lines of this snapshot file, open as `fd` (which this state closes). */
  readLinesFrom(fd: number, file: string): void {
    this.lines.readFrom(fd, file);
  }

  /** The snapshot has been read: its file closes now unless a line of it is held. */
  finishReadingLines(): void {
    this.lines.finishReading();
  }

  /**
   * Holds a record read from a snapshot as its JSON line, indexed by `fields` (lineFields' values, found
   * in the line); false when it cannot (a record of that id is held already: put the parsed record).
   */
  putLine(collection: CollectionName, position: number, length: number, fields: readonly string[]): boolean {
    return this.collection(collection).putLine(position, length, fields);
  }

  /** Closes the snapshot file that held lines are read from: for a state that will not be read again. */
  closeLines(): void {
    this.lines.close();
  }

  /** Each record of a collection as held: parsed, or its JSON line (written to a snapshot as it is). */
  stored<C extends CollectionName>(name: C): IterableIterator<RecordsByCollection[C] | string> {
    return this.collection(name).stored();
  }

  /** Each record's tenant and size as JSON, without parsing a line (a line's size is its length). */
  sizesByTenant(name: CollectionName): IterableIterator<[tenant: string, bytes: number]> {
    return (this.collection(name) as IndexedCollection<TenantRecord>).sizesByTenant(jsonSizeOf);
  }

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
      for (const id of collection.idsOf('tenant', tenant)) collection.delete(id);
    }
  }

  /** Whether a record of that id is held, without parsing its line. */
  has(name: CollectionName, id: string): boolean {
    return this.collection(name).has(id);
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
    // A record edited by hand may lack a field the store always writes: left as it is, not shared.
    const p = (value: string) => (typeof value === 'string' ? this.pool.get(value) : value);
    const pn = (value: string | null) => (typeof value === 'string' ? this.pool.get(value) : value);
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
        // peek, not get: sharing must not parse another record's line (which would share with this one).
        const previous = this.calls.peek(call.id);
        call.conversationId =
          this.conversations.peek(call.conversationId)?.id ?? previous?.conversationId ?? call.conversationId;
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
        const first = this.calls.peek(conversation.firstCallId);
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
        entry.conversationId = this.conversations.peek(entry.conversationId)?.id ?? entry.conversationId;
        if (mutation.collection === 'transcripts') mutation.record.senderType = p(mutation.record.senderType);
        break;
      }
      case 'numberReservations':
        break;
      case 'contactRequests':
        upgradeContactRequestRecord(mutation.record);
        mutation.record.voiceCallId = this.calls.peek(mutation.record.voiceCallId)?.id ?? mutation.record.voiceCallId;
        break;
      default: {
        const attached = mutation.record;
        attached.voiceCallId = this.calls.peek(attached.voiceCallId)?.id ?? attached.voiceCallId;
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
        calls: this.calls.stored(),
        conversations: this.conversations.stored(),
        transcripts: this.transcripts.stored(),
        recordings: this.recordings.stored(),
        routings: this.routings.stored(),
        contactRequests: this.contactRequests.stored(),
        events: this.events.stored(),
        numberReservations: this.numberReservations.stored(),
      },
    };
  }
}
