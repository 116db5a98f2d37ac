import { afterTurn } from '../time/after-turn.ts';

/**
 * Gathers what many requests ask of the database in one turn of the event loop and sends it as one
 * statement: a round trip per request would put the database's latency, not its throughput, on every
 * answer. `run` gets the items in the order they came and returns one result per item, in that order.
 */
export class TurnBatcher<I, O> {
  private pending: Array<{ item: I; resolve: (result: O) => void; reject: (error: Error) => void }> = [];
  private scheduled = false;
  private inFlight = new Set<Promise<void>>();

  /**
   * `serial`: one statement at a time, in order (a batch waits for the one before it), for rows whose
   * order readers rely on; otherwise batches go out side by side.
   */
  constructor(
    private readonly run: (items: readonly I[]) => Promise<readonly O[]>,
    private readonly serial = false,
  ) {}

  private previous: Promise<void> = Promise.resolve();

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      afterTurn(() => {
        this.scheduled = false;
        const flushed = this.serial ? (this.previous = this.previous.then(() => this.flush())) : this.flush();
        this.inFlight.add(flushed);
        void flushed.finally(() => this.inFlight.delete(flushed));
      });
    });
  }

  /** Resolves once everything submitted so far has been sent and answered. */
  async drained(): Promise<void> {
    while (this.scheduled || this.inFlight.size > 0) {
      if (this.scheduled) await new Promise((resolve) => afterTurn(resolve));
      await Promise.all(this.inFlight);
    }
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      const results = await this.run(batch.map((waiting) => waiting.item));
      batch.forEach((waiting, i) => waiting.resolve(results[i]!));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error as Error);
    }
  }
}
