/**
 * The request journal: every request the mock answered, per tenant, with what it sent, what it got and
 * the rule checks that ran. Bounded: each tenant keeps its latest `capacity` entries in a ring and
 * counts what was dropped. It lives in memory only and is separate from the store: clearing one leaves
 * the other.
 */
import {
  CHECK_OUTCOMES,
  type CheckOutcome,
  type JournalEntry,
  type JournalPage,
} from '../../contracts/admin-schemas.ts';
import type { Operation } from '../../contracts/operations.ts';
import { id15Of } from '../ids/salesforce-id.ts';
import { decodeEntry, encodeEntry } from './entry-encoding.ts';
import { merged } from '../object-merge.ts';

export interface JournalFilter {
  voiceCallId?: string;
  vendorCallKey?: string;
  operation?: Operation;
  /** Entries with a check of this outcome; `ok` means entries with no warning and no violation. */
  outcome?: CheckOutcome;
  /** Entries after this sequence number. */
  after?: number;
  /** At most this many, the latest. */
  limit?: number;
}

/**
 * The calls an entry is about: its conversation, or the vendorCallKeys it named (bulk entries name
 * several, so only for those is the request body read).
 */
function callKeysOf(
  entry: Pick<JournalEntry, 'conversationId' | 'vendorCallKey' | 'operation'>,
  bodyOf: () => unknown,
): string[] {
  const keys =
    entry.conversationId !== null
      ? [`c:${entry.conversationId}`]
      : entry.vendorCallKey !== null
        ? [`k:${entry.vendorCallKey}`]
        : [];
  if (entry.operation === 'createTranscriptsBulk') {
    const items = (bodyOf() as { entries?: unknown } | null)?.entries;
    if (Array.isArray(items)) {
      for (const item of items) {
        const key = (item as { vendorCallKey?: unknown } | null)?.vendorCallKey;
        if (typeof key === 'string' && !keys.includes(`k:${key}`)) keys.push(`k:${key}`);
      }
    }
  }
  return keys;
}

/**
 * The fields of an entry that filters and drop tallies read. Recording copies them into the ring's
 * slots (this object dies young); listing makes a KeptEntry of them again, with the entry's text, which
 * is the whole entry encoded as JSON (entry-encoding.ts) and decoded when it is listed.
 */
interface KeptFields {
  readonly seq: number;
  readonly operation: Operation | null;
  readonly voiceCallId: string | null;
  readonly vendorCallKey: string | null;
  readonly conversationId: string | null;
  /** The outcomes of its checks, one bit per CHECK_OUTCOMES member. */
  readonly outcomes: number;
}

/** An entry as listed: its fields, and its text, read from the ring when asked for. */
interface KeptEntry extends KeptFields {
  text(): string;
}

const OUTCOME_BIT = Object.fromEntries(CHECK_OUTCOMES.map((outcome, i) => [outcome, 1 << i])) as Record<
  CheckOutcome,
  number
>;

function keptFieldsOf(entry: JournalEntry): KeptFields {
  let outcomes = 0;
  for (const check of entry.checks) outcomes |= OUTCOME_BIT[check.outcome];
  return {
    seq: entry.seq,
    operation: entry.operation,
    voiceCallId: entry.voiceCallId,
    vendorCallKey: entry.vendorCallKey,
    conversationId: entry.conversationId,
    outcomes,
  };
}

const entryOf = (entry: KeptEntry): JournalEntry => decodeEntry(entry.text());

/** Bytes a ring's text buffer starts with; it doubles when the texts of its entries outgrow it. */
const FIRST_TEXT_BYTES = 16 * 1024;
/** Slots a ring starts with; they double up to its capacity (a tenant that sent a few requests holds little). */
const FIRST_SLOTS = 64;

/** The fields of a ring's entries, one slot each. */
class Slots {
  readonly seqs: Float64Array;
  readonly outcomes: Uint8Array;
  /** Where each slot's text starts (counted over every byte ever written, not wrapped) and its length. */
  readonly textStarts: Float64Array;
  readonly textLengths: Uint32Array;
  readonly operations: Array<Operation | null>;
  readonly voiceCallIds: Array<string | null>;
  readonly vendorCallKeys: Array<string | null>;
  readonly conversationIds: Array<string | null>;

  constructor(readonly size: number) {
    this.seqs = new Float64Array(size);
    this.outcomes = new Uint8Array(size);
    this.textStarts = new Float64Array(size);
    this.textLengths = new Uint32Array(size);
    this.operations = new Array<Operation | null>(size).fill(null);
    this.voiceCallIds = new Array<string | null>(size).fill(null);
    this.vendorCallKeys = new Array<string | null>(size).fill(null);
    this.conversationIds = new Array<string | null>(size).fill(null);
  }

  /** Fills a slot with an entry's fields and where its text is. */
  set(slot: number, fields: KeptFields, textStart: number, textLength: number): void {
    this.seqs[slot] = fields.seq;
    this.outcomes[slot] = fields.outcomes;
    this.operations[slot] = fields.operation;
    this.voiceCallIds[slot] = fields.voiceCallId;
    this.vendorCallKeys[slot] = fields.vendorCallKey;
    this.conversationIds[slot] = fields.conversationId;
    this.textStarts[slot] = textStart;
    this.textLengths[slot] = textLength;
  }

  /** A slot's entry fields, as an object (for listing and for a dropped entry's tally). */
  fieldsAt(slot: number): KeptFields {
    return {
      seq: this.seqs[slot]!,
      operation: this.operations[slot]!,
      voiceCallId: this.voiceCallIds[slot]!,
      vendorCallKey: this.vendorCallKeys[slot]!,
      conversationId: this.conversationIds[slot]!,
      outcomes: this.outcomes[slot]!,
    };
  }

  /** Copies slot `from` of `other` into slot `to` of these. */
  take(to: number, other: Slots, from: number): void {
    this.seqs[to] = other.seqs[from]!;
    this.outcomes[to] = other.outcomes[from]!;
    this.textStarts[to] = other.textStarts[from]!;
    this.textLengths[to] = other.textLengths[from]!;
    this.operations[to] = other.operations[from]!;
    this.voiceCallIds[to] = other.voiceCallIds[from]!;
    this.vendorCallKeys[to] = other.vendorCallKeys[from]!;
    this.conversationIds[to] = other.conversationIds[from]!;
  }

  /** Lets go of the slot's strings. */
  empty(slot: number): void {
    this.operations[slot] = null;
    this.voiceCallIds[slot] = null;
    this.vendorCallKeys[slot] = null;
    this.conversationIds[slot] = null;
  }
}

/**
 * One tenant's entries, oldest first; the oldest go first when it is full. Nothing is allocated on the
 * heap per entry: its fields go in arrays of one slot per entry (Slots, grown by doubling up to the
 * capacity), and its JSON text, as UTF-8, in one buffer outside the heap (also grown by doubling).
 * Entries live for `capacity` requests, so as objects (and Buffers) every one was promoted to the old
 * generation and died there. With the journal on, a paced run of creates at 4,376 req/s took 63-64 % of
 * a core and had a p99 of 11-43 ms; with it off, 50-52 % and 4.5-14 ms (2026-12-02, interleaved runs).
 * The main thread's own recording cost was some 5 µs a request: the rest was collecting entries. With
 * this ring, the same runs promoted as little as with the journal off, and had a p99 of 4.5-7.6 ms.
 */
class Ring {
  /** Where the oldest entry's slot is, and how many entries there are. */
  private head = 0;
  private count = 0;
  private slots: Slots;
  /** The texts: the one at position p (as counted in textStarts) is at p % texts.length. */
  private texts = Buffer.allocUnsafeSlow(FIRST_TEXT_BYTES);
  /** Where the next text goes (counted as textStarts are). */
  private written = 0;
  /** The size of the entries' texts. */
  bytes = 0;
  dropped = 0;
  /**
   * Dropped entries per call (callKeysOf), so a verification can say its evidence is incomplete. Two
   * generations: when the recent one holds `capacity` calls it becomes the older one, so at least the
   * `capacity` calls dropped from last are remembered and at most twice that. (One map kept in order of
   * last drop, deleting its first key, cost 7–8 µs a request, most of recording an entry: a Map's
   * iterator walks past every deleted slot.)
   */
  private recentDrops = new Map<string, number>();
  private olderDrops = new Map<string, number>();

  constructor(private readonly capacity: number) {
    this.slots = new Slots(Math.min(capacity, FIRST_SLOTS));
  }

  /** The slot of the i-th oldest entry. */
  private slotOf(i: number): number {
    return (this.head + i) % this.slots.size;
  }

  /** More slots (twice as many, up to the capacity), the entries moved to them oldest first. */
  private growSlots(): void {
    const slots = new Slots(Math.min(this.capacity, 2 * this.slots.size));
    for (let i = 0; i < this.count; i++) slots.take(i, this.slots, this.slotOf(i));
    this.slots = slots;
    this.head = 0;
  }

  /** Keeps an entry: its fields, and its text (encodeEntry). */
  push(entry: KeptFields, text: string): void {
    if (this.count === this.capacity) this.dropOldest();
    else if (this.count === this.slots.size) this.growSlots();
    const length = Buffer.byteLength(text);
    const at = this.placeText(length);
    this.texts.write(text, this.offsetOf(at), length, 'utf8');
    this.slots.set(this.slotOf(this.count), entry, at, length);
    this.count += 1;
    this.bytes += length;
  }

  /**
   * Where a text of `length` bytes goes: next, or at the buffer's start when it would run past the end
   * (the tail is left unused). The buffer doubles, the texts kept in order, when it has no room.
   */
  private placeText(length: number): number {
    for (;;) {
      const oldest = this.count === 0 ? this.written : this.slots.textStarts[this.head]!;
      const size = this.texts.length;
      let at = this.written;
      if ((at % size) + length > size) at += size - (at % size);
      if (at + length - oldest <= size) {
        this.written = at + length;
        return at;
      }
      this.growTexts(Math.max(2 * size, 2 * length));
    }
  }

  /** A larger text buffer with the live texts moved into it, in order, from its start. */
  private growTexts(size: number): void {
    const texts = Buffer.allocUnsafeSlow(size);
    const { textStarts, textLengths } = this.slots;
    let at = 0;
    for (let i = 0; i < this.count; i++) {
      const slot = this.slotOf(i);
      const start = this.offsetOf(textStarts[slot]!);
      const length = textLengths[slot]!;
      this.texts.copy(texts, at, start, start + length);
      textStarts[slot] = at;
      at += length;
    }
    this.texts = texts;
    this.written = at;
  }

  /** Drops the oldest entry (there must be one); returns its size. */
  dropOldest(): number {
    const slot = this.head;
    const bytes = this.slots.textLengths[slot]!;
    this.tallyDropped(slot);
    // The slot's strings are let go of now, not when it is next written.
    this.slots.empty(slot);
    this.head = (this.head + 1) % this.slots.size;
    this.count -= 1;
    this.bytes -= bytes;
    this.dropped += 1;
    if (this.count === 0) this.written = 0;
    return bytes;
  }

  /** Where a text position (counted as textStarts are) is in the buffer. */
  private offsetOf(position: number): number {
    return position % this.texts.length;
  }

  private textAt(slot: number): string {
    const start = this.offsetOf(this.slots.textStarts[slot]!);
    return this.texts.toString('utf8', start, start + this.slots.textLengths[slot]!);
  }

  private tallyDropped(slot: number): void {
    for (const key of callKeysOf(this.slots.fieldsAt(slot), () => decodeEntry(this.textAt(slot)).request.body)) {
      if (!this.recentDrops.has(key) && this.recentDrops.size >= this.capacity) {
        this.olderDrops = this.recentDrops;
        this.recentDrops = new Map();
      }
      this.recentDrops.set(key, this.droppedOf(key) + 1);
    }
  }

  /** How many entries of the call (a callKeysOf key) were dropped. */
  droppedOf(key: string): number {
    return this.recentDrops.get(key) ?? this.olderDrops.get(key) ?? 0;
  }

  get size(): number {
    return this.count;
  }

  /** Oldest first; an entry's text is read when asked for, which must be before the ring next changes. */
  all(): KeptEntry[] {
    const entries: KeptEntry[] = [];
    for (let i = 0; i < this.count; i++) {
      const slot = this.slotOf(i);
      entries.push(merged(this.slots.fieldsAt(slot), { text: () => this.textAt(slot) }));
    }
    return entries;
  }
}

function matches(entry: KeptEntry, filter: JournalFilter): boolean {
  if (filter.after !== undefined && entry.seq <= filter.after) return false;
  if (filter.operation !== undefined && entry.operation !== filter.operation) return false;
  if (filter.vendorCallKey !== undefined && entry.vendorCallKey !== filter.vendorCallKey) return false;
  if (
    filter.voiceCallId !== undefined &&
    (entry.voiceCallId === null || id15Of(entry.voiceCallId) !== id15Of(filter.voiceCallId))
  )
    return false;
  if (filter.outcome !== undefined) {
    const has = (outcome: CheckOutcome) => (entry.outcomes & OUTCOME_BIT[outcome]) !== 0;
    if (filter.outcome === 'ok' ? has('warning') || has('violation') : !has(filter.outcome)) return false;
  }
  return true;
}

function isSorted(entries: readonly KeptEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) if (entries[i - 1]!.seq > entries[i]!.seq) return false;
  return true;
}

/** What a tenant's listeners hear: a request the journal recorded, or a reset of the tenant. */
export type TenantEvent = { kind: 'entry'; entry: JournalEntry } | { kind: 'reset' };

export class RequestJournal {
  private readonly tenants = new Map<string, Ring>();
  private seq = 0;
  private bytes = 0;
  private readonly listeners = new Map<string, Set<(event: TenantEvent) => void>>();

  /**
   * `capacity` entries per tenant (0 switches the journal off), and at most `maxBytes` of entries (as
   * JSON, estimated) across tenants: past that, the tenant with the most bytes loses its oldest entries,
   * so that one busy or hostile tenant does not push the others' evidence out.
   */
  constructor(
    readonly capacity: number,
    readonly maxBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  /** The entries' size across tenants. */
  get totalBytes(): number {
    return this.bytes;
  }

  get enabled(): boolean {
    return this.capacity > 0;
  }

  /**
   * Keeps the entry, numbered `seq` when given (a replica's journal: the shared database numbers
   * entries) or next in this journal's own order. `bodyText`: the JSON text its request body was parsed
   * from, when the entry keeps that body as it came (kept as the text, see encodeEntry).
   */
  record(entry: Omit<JournalEntry, 'seq'>, seq?: number, bodyText?: string): void {
    if (!this.enabled) return;
    let ring = this.tenants.get(entry.tenant);
    if (ring === undefined) {
      ring = new Ring(this.capacity);
      this.tenants.set(entry.tenant, ring);
    }
    this.seq = seq ?? this.seq + 1;
    const full: JournalEntry = { seq: this.seq, ...entry };
    const before = ring.bytes;
    ring.push(keptFieldsOf(full), encodeEntry(full, bodyText));
    this.bytes += ring.bytes - before;
    while (this.bytes > this.maxBytes) this.bytes -= this.largest().dropOldest();
    this.announce(entry.tenant, { kind: 'entry', entry: full });
  }

  /** Tells the tenant's listeners (the dashboard's stream) what happened. */
  announce(tenant: string, event: TenantEvent): void {
    for (const listener of this.listeners.get(tenant) ?? []) listener(event);
  }

  /** Whether anyone listens to the tenant's events. */
  hasListeners(tenant: string): boolean {
    return this.listeners.has(tenant);
  }

  /** Calls `listener` with the tenant's events from now on (journal entries, resets); the result unsubscribes. */
  subscribe(tenant: string, listener: (event: TenantEvent) => void): () => void {
    let set = this.listeners.get(tenant);
    if (set === undefined) this.listeners.set(tenant, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(tenant);
    };
  }

  /** The ring with the most bytes (one holds at least one entry whenever the total is above zero). */
  private largest(): Ring {
    let largest: Ring | undefined;
    for (const ring of this.tenants.values())
      if (ring.size > 0 && (largest === undefined || ring.bytes > largest.bytes)) largest = ring;
    return largest!;
  }

  list(tenant: string, filter: JournalFilter = {}): JournalPage {
    const ring = this.tenants.get(tenant);
    let picked = (ring?.all() ?? []).filter((entry) => matches(entry, filter));
    // A replica's journal takes other replicas' entries as it catches up, so they may come out of order.
    if (!isSorted(picked)) picked.sort((x, y) => x.seq - y.seq);
    if (filter.limit !== undefined) picked = picked.slice(Math.max(0, picked.length - filter.limit));
    return {
      tenant,
      enabled: this.enabled,
      capacity: this.capacity,
      total: ring?.size ?? 0,
      dropped: ring?.dropped ?? 0,
      entries: picked.map(entryOf),
    };
  }

  /**
   * How many of one call's requests the tenant's journal dropped: entries of its conversation, and
   * entries that named one of its vendorCallKeys without reaching a conversation.
   */
  droppedOfCall(tenant: string, conversationId: string | null, vendorCallKeys: readonly string[]): number {
    const ring = this.tenants.get(tenant);
    if (ring === undefined) return 0;
    const keys = [
      ...(conversationId === null ? [] : [`c:${conversationId}`]),
      ...vendorCallKeys.map((key) => `k:${key}`),
    ];
    return keys.reduce((sum, key) => sum + ring.droppedOf(key), 0);
  }

  /**
   * Forgets a tenant's entries (and its dropped count); returns how many there were. With `before`, only
   * the entries numbered below it (a clear another replica made, which later entries survive).
   */
  clear(tenant: string, before?: number): number {
    const ring = this.tenants.get(tenant);
    if (ring === undefined) return 0;
    const size = ring.size;
    this.bytes -= ring.bytes;
    this.tenants.delete(tenant);
    if (before !== undefined) {
      const kept = ring.all().filter((entry) => entry.seq >= before);
      if (kept.length > 0) {
        const fresh = new Ring(this.capacity);
        for (const entry of kept) fresh.push(entry, entry.text());
        this.tenants.set(tenant, fresh);
        this.bytes += fresh.bytes;
      }
      return size - kept.length;
    }
    return size;
  }
}
