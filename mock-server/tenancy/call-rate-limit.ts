/**
 * The org limit on calls initiated per second (Salesforce documents 50 per org; "Org Limits" in the
 * implementation guide), as an option: off by default, since a connector's tests rarely mean to meet it.
 * Counted per org and per second of the mock's clock, so a frozen clock holds the count until advanced.
 */
import { decisionOf, type FaultDecision } from '../faults/fault-book.ts';

export class CallRateLimit {
  private second = -1;
  private readonly started = new Map<string, number>();

  constructor(
    readonly perSecond: number,
    private readonly now: () => Date,
  ) {}

  /** Counts a call the org starts now; the refusal (a 429 to retry in a second) once it is over the limit. */
  admit(orgId: string): FaultDecision | undefined {
    const second = Math.floor(this.now().getTime() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.started.clear();
    }
    const count = (this.started.get(orgId) ?? 0) + 1;
    this.started.set(orgId, count);
    if (count <= this.perSecond) return undefined;
    return decisionOf({ id: 'rate-limit' }, { status: 429, retryAfter: 1 });
  }
}
