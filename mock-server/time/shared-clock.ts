/**
 * The mock's clock on replicas: a change made through one replica (POST /__admin/clock) is stored and
 * sent to every other live replica, and answered once they all follow it; a replica that starts later
 * reads it at start. Each replica's clock still runs on its own machine's time, at the shared offset.
 */
import type { ClockRequest, ClockState } from '../../contracts/admin-schemas.ts';
import type { PostgresDatabase } from '../store/postgres-database.ts';
import type { ReplicaBus } from '../store/replica-bus.ts';
import { unavailableOnError } from '../store/store-unavailable.ts';
import type { ClockSetting, MockClock } from './mock-clock.ts';

const TOPIC = 'clock';

export class SharedClock {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly bus: ReplicaBus,
    private readonly clock: MockClock,
  ) {
    bus.on(TOPIC, (setting) => {
      this.clock.restore(setting as ClockSetting);
      return Promise.resolve();
    });
  }

  /** Takes the stored setting, if another replica made one. */
  async load(): Promise<void> {
    const row = await this.db.pool.query<{ offset_ms: string; frozen_at: string | null }>(
      'SELECT offset_ms, frozen_at FROM scv_mock_clock',
    );
    const stored = row.rows[0];
    if (stored === undefined) return;
    this.clock.restore({
      offsetMs: Number(stored.offset_ms),
      frozenAt: stored.frozen_at === null ? null : Number(stored.frozen_at),
    });
  }

  /** Changes the clock here, stores the change and resolves once every live replica follows it. */
  readonly apply = async (request: ClockRequest): Promise<ClockState> => {
    const before = this.clock.setting();
    const state = this.clock.apply(request);
    const setting = this.clock.setting();
    await unavailableOnError(() =>
      this.db.pool.query(
        `INSERT INTO scv_mock_clock (offset_ms, frozen_at) VALUES ($1, $2)
       ON CONFLICT (only_row) DO UPDATE SET offset_ms = EXCLUDED.offset_ms, frozen_at = EXCLUDED.frozen_at`,
        [setting.offsetMs, setting.frozenAt],
      ),
    ).catch((error: unknown) => {
      // Not stored: this replica goes back to what every other one still follows.
      this.clock.restore(before);
      throw error;
    });
    await this.bus.publish(TOPIC, setting);
    return state;
  };
}
