import { randomBytes } from 'node:crypto';

/** Key prefixes of the records the mock creates (see the README's id table). */
export const KEY_PREFIX = {
  VoiceCall: '0LQ',
  PendingServiceRouting: '0JR',
  ContactRequest: '0SR',
  // Salesforce publishes no prefix for these; the mock picks unused ones and keeps them here.
  Conversation: '0dw',
  ConversationEntry: '0eE',
  VoiceCallRecording: '0VR',
  ConversationEvent: '0cE',
  NumberReservation: '0nR',
} as const;
export type KeyPrefix = (typeof KEY_PREFIX)[keyof typeof KEY_PREFIX];

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID15 = /^[0-9A-Za-z]{15}$/;
const ID18 = /^[0-9A-Za-z]{18}$/;

/** The three-letter case-safe suffix (CASESAFEID) of a 15-character id. */
export function caseSafeSuffix(id15: string): string {
  if (!ID15.test(id15)) throw new Error(`not a 15-character Salesforce id: ${id15}`);
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let k = 0; k < 5; k++) {
      const c = id15.charCodeAt(chunk * 5 + k);
      if (c >= 65 && c <= 90) bits |= 1 << k;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

export function to18(id15: string): string {
  return id15 + caseSafeSuffix(id15);
}

/** True for a well-formed 15-character id, or an 18-character id whose suffix is right. */
export function isSalesforceId(value: string, prefix?: string): boolean {
  if (prefix !== undefined && !value.startsWith(prefix)) return false;
  if (ID15.test(value)) return true;
  return ID18.test(value) && caseSafeSuffix(value.slice(0, 15)) === value.slice(15);
}

/** The 15-character form both lengths share: the key the store indexes ids by. */
export function id15Of(value: string): string {
  return value.slice(0, 15);
}

/** 32-bit FNV-1a of a string, from a given basis (two bases give two independent lanes). */
function fnv1a(text: string, basis: number): number {
  let hash = basis;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3's 32-bit finaliser: a bijection in which every input bit moves every output bit. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** `count` base-62 digits of a 32-bit value (62^5 < 2^32). */
function base62(value: number, count: number): string {
  let digits = '';
  let rest = value;
  for (let i = 0; i < count; i++) {
    digits += BASE62[rest % 62];
    rest = Math.floor(rest / 62);
  }
  return digits;
}

/**
 * Makes 18-character ids that look like Salesforce's: prefix, a two-letter "pod", a reserved 0, nine
 * base-62 characters, the case-safe suffix. The nine characters come from mixing (seed, prefix, counter)
 * into 64 bits, so a given seed and request sequence always yields the same ids; the counter lives in the
 * store, so ids stay unique across restarts. (A SHA-256 per id cost a twentieth of a create request.)
 */
export class SalesforceIdFactory {
  /** Per prefix, two 32-bit lanes derived from the seed. */
  private readonly lanes = new Map<string, readonly [number, number]>();
  /**
   * With replicas, the counter values this process may use: blocks handed out by the shared database,
   * each [first, last], so no two replicas issue the same one. Null: every value is this process's.
   */
  private blocks: Array<[number, number]> | null = null;
  /** Ids this factory has issued since it was made. */
  drawn = 0;

  constructor(
    readonly seed: string,
    private counter = 0,
  ) {}

  /** From now on, ids come only from blocks given with addBlock (a replica sharing its store). */
  useBlocks(): void {
    this.blocks = [];
    this.counter = 0;
  }

  /** Counter values first..last are this process's to issue (with useBlocks). */
  addBlock(first: number, last: number): void {
    this.blocks?.push([first, last]);
  }

  /** How many more ids may be issued before another block is needed (unbounded without blocks). */
  get remaining(): number {
    if (this.blocks === null) return Number.POSITIVE_INFINITY;
    let left = 0;
    for (const [first, last] of this.blocks) left += Math.max(0, last - Math.max(first - 1, this.counter));
    return left;
  }

  static randomSeed(): string {
    return randomBytes(12).toString('hex');
  }

  get issued(): number {
    return this.counter;
  }

  next(prefix: KeyPrefix): string {
    this.advance();
    this.drawn += 1;
    let lanes = this.lanes.get(prefix);
    if (lanes === undefined) {
      const key = `${this.seed}:${prefix}`;
      lanes = [fnv1a(key, 0x811c9dc5), fnv1a(key, 0x9e3779b9)];
      this.lanes.set(prefix, lanes);
    }
    // Each lane is a bijection of the counter; together they make 54 bits of the nine characters.
    const high = mix32(lanes[0] ^ this.counter);
    const low = mix32(lanes[1] + Math.imul(this.counter, 0x9e3779b1));
    return to18(`${prefix}SM0${base62(high, 5)}${base62(low, 4)}`);
  }

  private advance(): void {
    if (this.blocks === null) {
      this.counter += 1;
      return;
    }
    while (this.blocks.length > 0 && this.counter >= this.blocks[0]![1]) this.blocks.shift();
    const block = this.blocks[0];
    if (block === undefined) throw new IdsExhausted();
    this.counter = Math.max(this.counter + 1, block[0]);
  }
}

/** A replica ran out of id blocks mid-operation: the store fetches more and runs the operation again. */
export class IdsExhausted extends Error {
  constructor() {
    super("no record ids left in this replica's blocks");
  }
}
