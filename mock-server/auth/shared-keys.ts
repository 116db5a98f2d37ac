/**
 * Keys registered at runtime, kept where every replica finds them (--store postgres://…): a key
 * registered on one replica verifies tokens on all. A replica reads the keys it has not seen when a token
 * names an org or key it does not know, and at start, so runtime keys also outlive a restart.
 */
import type { PostgresDatabase } from '../store/postgres-database.ts';
import { unavailableOnError } from '../store/store-unavailable.ts';

export interface ShelvedKey {
  pem: string;
  callCenterApiName: string;
  name: string;
  orgId: string | null;
  /** ISO 8601. */
  registeredAt: string;
}

/** Where a KeyRegistry keeps the keys registered at runtime, for other processes. */
export interface KeyShelf {
  put(key: ShelvedKey): Promise<void>;
  /** The keys put since the last call (all of them the first time). */
  taken(): Promise<ShelvedKey[]>;
}

export class SharedKeys implements KeyShelf {
  private seen = 0;

  constructor(private readonly db: PostgresDatabase) {}

  async put(key: ShelvedKey): Promise<void> {
    await this.db.pool.query(
      'INSERT INTO scv_mock_key (pem, call_center, name, org_id, registered_at) VALUES ($1, $2, $3, $4, $5)',
      [key.pem, key.callCenterApiName, key.name, key.orgId, key.registeredAt],
    );
  }

  async taken(): Promise<ShelvedKey[]> {
    const rows = await unavailableOnError(() =>
      this.db.pool.query<{
        seq: string;
        pem: string;
        call_center: string;
        name: string;
        org_id: string | null;
        registered_at: Date;
      }>('SELECT seq, pem, call_center, name, org_id, registered_at FROM scv_mock_key WHERE seq > $1 ORDER BY seq', [
        this.seen,
      ]),
    );
    for (const row of rows.rows) this.seen = Math.max(this.seen, Number(row.seq));
    return rows.rows.map((row) => ({
      pem: row.pem,
      callCenterApiName: row.call_center,
      name: row.name,
      orgId: row.org_id,
      registeredAt: row.registered_at.toISOString(),
    }));
  }
}
