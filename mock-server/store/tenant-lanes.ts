/**
 * One replica's work per tenant, in order: a tenant's requests run one at a time, so each sees the
 * previous one's commit, while different tenants run side by side. Before its work a request needs the
 * tenant's state caught up with what other replicas committed before it arrived; one catch-up that
 * started after several queued requests arrived serves them all.
 */
interface Lane {
  tail: Promise<unknown>;
  pending: number;
  /** The ticket counter when the last successful catch-up started: requests up to it are served by it. */
  caughtUpAt: number;
}

export class TenantLanes {
  private readonly lanes = new Map<string, Lane>();
  private ticket = 0;

  /**
   * Runs `work` after the tenant's earlier work, catching up first unless a catch-up began after this
   * call (null: work that checks freshness itself).
   */
  run<T>(tenant: string, catchUp: (() => Promise<void>) | null, work: () => Promise<T>): Promise<T> {
    const arrived = ++this.ticket;
    let lane = this.lanes.get(tenant);
    if (lane === undefined) {
      lane = { tail: Promise.resolve(), pending: 0, caughtUpAt: 0 };
      this.lanes.set(tenant, lane);
    }
    const own = lane;
    own.pending += 1;
    const result = own.tail.then(async () => {
      if (catchUp !== null && own.caughtUpAt < arrived) {
        const startedAt = this.ticket;
        await catchUp();
        own.caughtUpAt = startedAt;
      }
      return work();
    });
    own.tail = result.then(
      () => this.leave(tenant, own),
      () => this.leave(tenant, own),
    );
    return result;
  }

  /** Tenants with work queued or running. */
  get busy(): number {
    return this.lanes.size;
  }

  private leave(tenant: string, lane: Lane): void {
    lane.pending -= 1;
    // An idle lane is forgotten: the next request catches up anyway, as it arrives after every catch-up so far.
    if (lane.pending === 0 && this.lanes.get(tenant) === lane) this.lanes.delete(tenant);
  }
}
