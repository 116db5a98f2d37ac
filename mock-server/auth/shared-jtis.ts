/**
 * The jti replay cache of replicas: a token id one replica accepted is refused by every other. The
 * replica's own cache answers a replay it saw itself; a new jti is then claimed in the database, where
 * the primary key decides which replica saw it first (the claims of one turn go in one statement). An
 * entry lasts until its token expires, like the local cache's.
 */
import type { PostgresDatabase } from '../store/postgres-database.ts';
import { TurnBatcher } from '../store/turn-batcher.ts';
import { unavailableOnError } from '../store/store-unavailable.ts';
import { jtiKey, type JtiCache, type JtiMemory } from './jti-cache.ts';

interface Claim {
  scope: string;
  jti: string;
  expiresAt: number;
  now: number;
}

/** Expired rows are deleted after this many claims (and the oldest past --max-jtis). */
const PURGE_EVERY = 1000;

export class SharedJtis implements JtiMemory {
  private readonly claims: TurnBatcher<Claim, boolean>;
  private sincePurge = 0;

  constructor(
    private readonly db: PostgresDatabase,
    private readonly local: JtiCache,
  ) {
    this.claims = new TurnBatcher((batch) => unavailableOnError(() => this.claim(batch)));
  }

  async remember(scope: string, jti: string, expiresAtSeconds: number, nowSeconds: number): Promise<boolean> {
    if (!this.local.remember(scope, jti, expiresAtSeconds, nowSeconds)) return false;
    return this.claims.submit({ scope, jti: jtiKey(jti), expiresAt: expiresAtSeconds, now: nowSeconds });
  }

  private async claim(batch: readonly Claim[]): Promise<boolean[]> {
    // Two claims of one id in one statement would make ON CONFLICT fail: the later one is a replay anyway.
    const first = new Map<string, number>();
    batch.forEach((claim, i) => {
      const key = `${claim.scope}\u0000${claim.jti}`;
      if (!first.has(key)) first.set(key, i);
    });
    const unique = [...first.values()].map((i) => batch[i]!);
    const now = Math.max(...unique.map((claim) => claim.now));
    const fresh = await this.db.pool.query<{ scope: string; jti: string }>(
      `INSERT INTO scv_mock_jti (scope, jti, expires_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (scope, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE scv_mock_jti.expires_at < $4
       RETURNING scope, jti`,
      [unique.map((c) => c.scope), unique.map((c) => c.jti), unique.map((c) => c.expiresAt), now],
    );
    const claimed = new Set(fresh.rows.map((row) => `${row.scope}\u0000${row.jti}`));
    this.sincePurge += batch.length;
    if (this.sincePurge >= PURGE_EVERY) {
      this.sincePurge = 0;
      this.purge(now);
    }
    return batch.map((claim, i) => {
      const key = `${claim.scope}\u0000${claim.jti}`;
      return first.get(key) === i && claimed.has(key);
    });
  }

  /** Deletes expired ids, then those expiring soonest past the cache's bound (the local cache forgets its oldest). */
  private purge(now: number): void {
    const deleting = this.db.pool.query('DELETE FROM scv_mock_jti WHERE expires_at < $1', [now]).then(() =>
      Number.isFinite(this.local.max)
        ? this.db.pool.query(
            `DELETE FROM scv_mock_jti WHERE ctid IN (
                 SELECT ctid FROM scv_mock_jti ORDER BY expires_at
                 LIMIT greatest(0, (SELECT count(*) FROM scv_mock_jti) - $1))`,
            [this.local.max],
          )
        : undefined,
    );
    deleting.catch(() => undefined);
  }
}
