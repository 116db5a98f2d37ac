import { createHash, randomBytes } from 'node:crypto';

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

/**
 * Makes 18-character ids that look like Salesforce's: prefix, a two-letter "pod", a reserved 0, nine
 * base-62 characters, the case-safe suffix. The nine characters come from a hash of (seed, counter), so a
 * given seed and request sequence always yields the same ids; the counter lives in the store, so ids
 * stay unique across restarts.
 */
export class SalesforceIdFactory {
  constructor(
    readonly seed: string,
    private counter = 0,
  ) {}

  static randomSeed(): string {
    return randomBytes(12).toString('hex');
  }

  get issued(): number {
    return this.counter;
  }

  next(prefix: KeyPrefix): string {
    this.counter += 1;
    const digest = createHash('sha256').update(`${this.seed}:${prefix}:${this.counter}`).digest();
    let body = '';
    for (let i = 0; i < 9; i++) body += BASE62[digest[i]! % 62];
    return to18(`${prefix}SM0${body}`);
  }
}
