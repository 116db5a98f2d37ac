/**
 * Applies the retention policy: after a write for a tenant over its --retain-calls, and every
 * `sweepMs` for --retain-for (time passes without writes). Evictions are committed like any write and
 * counted per tenant, so GET /__admin/calls can say how many went.
 */
import type { Logger } from '../http/logger.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';
import { hasRetention, retentionEvictions, type RetentionPolicy } from './retention.ts';

export class RetentionKeeper {
  private readonly evictedPerTenant = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: TelephonyStore,
    readonly policy: RetentionPolicy,
    private readonly now: () => Date,
    private readonly logger: Logger,
  ) {}

  get active(): boolean {
    return hasRetention(this.policy);
  }

  /** Conversations the policy evicted from the tenant since the mock started. */
  evicted(tenant: string): number {
    return this.evictedPerTenant.get(tenant) ?? 0;
  }

  /** After a write: evicts at once when the tenant holds more conversations than it keeps. */
  afterWrite(tenant: string): Promise<void> {
    const { retainCalls } = this.policy;
    if (retainCalls === undefined || this.store.conversationCount(tenant) <= retainCalls) return Promise.resolve();
    return this.evict(tenant);
  }

  /** Every tenant, now (the sweep's work). */
  async sweep(): Promise<void> {
    for (const tenant of this.store.tenants()) await this.evict(tenant);
  }

  /** Sweeps every `sweepMs` until stop(); the timer does not keep the process alive. */
  start(sweepMs: number): void {
    if (!this.active || this.timer !== null) return;
    this.timer = setInterval(() => {
      this.running = this.running
        .then(() => this.sweep())
        .catch((error: unknown) => {
          this.logger.warn(`retention sweep failed: ${(error as Error).message}; it runs again in ${sweepMs / 1000} s`);
        });
    }, sweepMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async evict(tenant: string): Promise<void> {
    const conversations = await this.store.transact(tenant, () => {
      const evictions = retentionEvictions(this.store, tenant, this.policy, this.now());
      return { mutations: evictions.mutations, result: evictions.conversations };
    });
    if (conversations === 0) return;
    this.evictedPerTenant.set(tenant, this.evicted(tenant) + conversations);
    this.logger.info(
      `retention: evicted ${conversations} closed conversation(s) of ${tenant} with everything they own (${this.describe()})`,
    );
  }

  private describe(): string {
    const { retainCalls, retainForMs } = this.policy;
    return [
      ...(retainCalls === undefined ? [] : [`--retain-calls ${retainCalls}`]),
      ...(retainForMs === undefined ? [] : [`--retain-for ${retainForMs / 1000}s`]),
    ].join(', ');
  }
}
