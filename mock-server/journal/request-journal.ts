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
 * An entry as a ring keeps it: the fields that filters and drop tallies read, and the whole entry
 * encoded as JSON (entry-encoding.ts), decoded again when it is listed. A recorded entry is some thirty
 * objects (its request and response bodies, headers, checks); under load each lived through two
 * young-generation collections before it was promoted, and copying them was a large part of every
 * collection's pause. The JSON is kept as UTF-8 bytes in a Buffer, whose bytes live outside the
 * JavaScript heap: a collection copies only the small Buffer object (as a string, the text was 40 % of
 * what each collection copied).
 */
interface KeptEntry {
  readonly seq: number;
  readonly operation: Operation | null;
  readonly voiceCallId: string | null;
  readonly vendorCallKey: string | null;
  readonly conversationId: string | null;
  /** The outcomes of its checks, one bit per CHECK_OUTCOMES member. */
  readonly outcomes: number;
  readonly text: Buffer;
}

const OUTCOME_BIT = Object.fromEntries(CHECK_OUTCOMES.map((outcome, i) => [outcome, 1 << i])) as Record<
  CheckOutcome,
  number
>;

function keptEntryOf(entry: JournalEntry, bodyText: string | undefined): KeptEntry {
  let outcomes = 0;
  for (const check of entry.checks) outcomes |= OUTCOME_BIT[check.outcome];
  return {
    seq: entry.seq,
    operation: entry.operation,
    voiceCallId: entry.voiceCallId,
    vendorCallKey: entry.vendorCallKey,
    conversationId: entry.conversationId,
    outcomes,
    text: Buffer.from(encodeEntry(entry, bodyText)),
  };
}

const entryOf = (entry: KeptEntry): JournalEntry => decodeEntry(entry.text.toString());

/** One tenant's entries, oldest first, with their sizes; the oldest go first when it is full. */
class Ring {
  // A circular buffer that grows to the capacity and then writes over the oldest: a request costs no
  // copying. (A queue compacted now and then copied the whole ring every thousand requests, which
  // showed in the benchmark.)
  private items: Array<KeptEntry | undefined> = [];
  private sizes: number[] = [];
  /** Where the oldest entry is. */
  private head = 0;
  private count = 0;
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

  constructor(private readonly capacity: number) {}

  push(entry: KeptEntry): void {
    const bytes = entry.text.length;
    if (this.count === this.capacity) this.dropOldest();
    if (this.count === this.items.length) {
      // Full below the capacity: grow, oldest first at index 0.
      if (this.head !== 0) this.linearize();
      this.items.push(entry);
      this.sizes.push(bytes);
    } else {
      const at = (this.head + this.count) % this.items.length;
      this.items[at] = entry;
      this.sizes[at] = bytes;
    }
    this.count += 1;
    this.bytes += bytes;
  }

  /** Drops the oldest entry (there must be one); returns its size. */
  dropOldest(): number {
    const entry = this.items[this.head]!;
    const bytes = this.sizes[this.head]!;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count -= 1;
    this.bytes -= bytes;
    this.dropped += 1;
    this.tallyDropped(entry);
    return bytes;
  }

  private linearize(): void {
    const sizes: number[] = [];
    for (let i = 0; i < this.count; i++) sizes.push(this.sizes[(this.head + i) % this.sizes.length]!);
    this.items = this.all();
    this.sizes = sizes;
    this.head = 0;
  }

  private tallyDropped(entry: KeptEntry): void {
    for (const key of callKeysOf(entry, () => entryOf(entry).request.body)) {
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

  /** Oldest first. */
  all(): KeptEntry[] {
    const entries: KeptEntry[] = [];
    for (let i = 0; i < this.count; i++) entries.push(this.items[(this.head + i) % this.items.length]!);
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
    ring.push(keptEntryOf(full, bodyText));
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
        for (const entry of kept) fresh.push(entry);
        this.tenants.set(tenant, fresh);
        this.bytes += fresh.bytes;
      }
      return size - kept.length;
    }
    return size;
  }
}
