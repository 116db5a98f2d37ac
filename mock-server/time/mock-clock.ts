/**
 * The mock's time, which tests can control (POST /__admin/clock, the harness's clock): frozen, set or
 * advanced. Everything that reads the time reads it here: token iat and exp checks, transcript windows,
 * record timestamps, number reservations. Running, it follows the machine's clock at an offset.
 */
import type { ClockRequest, ClockState } from '../../contracts/admin-schemas.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a clock duration: a number, or a number with a unit (ms, s, m, h, d). */
export function durationMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (match === null) throw new Error(`"${value}" is not a duration such as 500ms, 90s, 15m, 5h or 2d`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** What a clock is set to: an offset from the machine's time, or a frozen instant (epoch ms). */
export interface ClockSetting {
  offsetMs: number;
  frozenAt: number | null;
}

/** How a clock change is made: on this clock, or on every replica's (shared-clock.ts). */
export type ClockChanger = (request: ClockRequest) => Promise<ClockState>;

export class MockClock {
  private offsetMs = 0;
  private frozenAt: number | null = null;

  constructor(private readonly machine: () => number = Date.now) {}

  /** For the server's parts: `clock.now` can be handed on as a function. */
  readonly now = (): Date => new Date(this.frozenAt ?? this.machine() + this.offsetMs);

  /** Applies a request: reset alone; otherwise freeze, set or advance, then release. */
  apply(request: ClockRequest): ClockState {
    if (request.reset === true) {
      this.offsetMs = 0;
      this.frozenAt = null;
      return this.state();
    }
    // Freeze first: `{set, freeze: true}` then stands exactly at `set`, not a millisecond after it.
    if (request.freeze === true && this.frozenAt === null) this.frozenAt = this.now().getTime();
    if (request.set !== undefined) this.moveTo(Date.parse(request.set));
    if (request.advance !== undefined) this.moveTo(this.now().getTime() + durationMs(request.advance));
    if (request.freeze === false && this.frozenAt !== null) {
      this.offsetMs = this.frozenAt - this.machine();
      this.frozenAt = null;
    }
    return this.state();
  }

  /** The clock's setting, for another replica to take (restore). */
  setting(): ClockSetting {
    return { offsetMs: this.offsetMs, frozenAt: this.frozenAt };
  }

  restore(setting: ClockSetting): void {
    this.offsetMs = setting.offsetMs;
    this.frozenAt = setting.frozenAt;
  }

  state(): ClockState {
    // One reading of the machine's clock, so that a running clock at no offset says 0.
    const machine = this.machine();
    const now = this.frozenAt ?? machine + this.offsetMs;
    return { now: new Date(now).toISOString(), frozen: this.frozenAt !== null, offsetMs: now - machine };
  }

  private moveTo(time: number): void {
    if (this.frozenAt !== null) this.frozenAt = time;
    else this.offsetMs = time - this.machine();
  }
}
