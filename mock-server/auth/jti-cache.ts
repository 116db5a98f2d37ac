/**
 * The jti values already seen, per org: Salesforce rejects a token whose jti it has seen before. An
 * entry is kept until its token expires (at most 24 hours after it was issued, plus the clock skew).
 * Bounded twice over: a long jti is kept as its digest, so a client's choice of jti does not choose the
 * memory it takes, and past `max` entries the oldest is forgotten (a flood of fresh tokens can then make
 * the oldest replayable; refusing every new token instead would stop every connector).
 */
import { createHash } from 'node:crypto';

/** Longer jtis are kept as a digest of the same length (a UUID, 36 characters, is kept as it is). */
const KEPT_AS_IS = 43;

/** What the verifier asks of a replay cache: one process's (JtiCache), or the replicas' (shared-jtis.ts). */
export interface JtiMemory {
  /** Records the jti; false when it was already there (a replay). */
  remember(scope: string, jti: string, expiresAtSeconds: number, nowSeconds: number): boolean | Promise<boolean>;
}

/** The form a jti is kept in: as it is, or as a digest of the same length when longer than a UUID-ish 43 characters. */
export function jtiKey(jti: string): string {
  return jti.length <= KEPT_AS_IS ? jti : `#${createHash('sha256').update(jti).digest('base64url')}`;
}

export class JtiCache implements JtiMemory {
  private readonly seen = new Map<string, number>();
  private inserts = 0;
  /** Entries forgotten before their token expired, because the cache was full. */
  forgotten = 0;

  constructor(readonly max: number = Number.POSITIVE_INFINITY) {}

  /** Records the jti; returns false when it was already there (a replay). */
  remember(scope: string, jti: string, expiresAtSeconds: number, nowSeconds: number): boolean {
    const key = `${scope}\u0000${jtiKey(jti)}`;
    const known = this.seen.get(key);
    if (known !== undefined && known >= nowSeconds) return false;
    if (known === undefined && this.seen.size >= this.max) this.forgetOldest();
    this.seen.set(key, expiresAtSeconds);
    if (++this.inserts % 1000 === 0) this.purge(nowSeconds);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  /** Constant time: a full purge on every insert would cost a scan of the whole cache per request. */
  private forgetOldest(): void {
    // Insertion order: the first key is the oldest seen.
    this.seen.delete(this.seen.keys().next().value!);
    this.forgotten += 1;
  }

  private purge(nowSeconds: number): void {
    for (const [key, exp] of this.seen) if (exp < nowSeconds) this.seen.delete(key);
  }
}
