/**
 * The jti values already seen, per org: Salesforce rejects a token whose jti it has seen before. An
 * entry is kept until its token expires (at most 24 hours), so memory stays bounded by token lifetimes.
 */
export class JtiCache {
  private readonly seen = new Map<string, number>();
  private inserts = 0;

  /** Records the jti; returns false when it was already there (a replay). */
  remember(scope: string, jti: string, expiresAtSeconds: number, nowSeconds: number): boolean {
    const key = `${scope}\u0000${jti}`;
    const known = this.seen.get(key);
    if (known !== undefined && known >= nowSeconds) return false;
    this.seen.set(key, expiresAtSeconds);
    if (++this.inserts % 1000 === 0) this.purge(nowSeconds);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private purge(nowSeconds: number): void {
    for (const [key, exp] of this.seen) if (exp < nowSeconds) this.seen.delete(key);
  }
}
