/**
 * `maxCostTotalUsd` of a batch: one cost cap over all of its pairs. Each pair
 * runs under its own request cap (the ledger enforces it), granted from what
 * is left (`available` = total - spent - granted to running pairs): an equal
 * share of it per free pair slot, but at least what the costliest finished
 * pair spent (when that much is available), never more than the configured
 * per-request cap. When a pair finishes, its grant is returned and its real
 * cost counted. No pair starts while less than MIN_START_SHARE of the total,
 * or less than the costliest pair so far, is available; with nothing running
 * the batch stops there, and the pairs not started stay pending for a later
 * run. A pair refused before it could spend anything also stops the batch
 * (and stays pending).
 *
 * Bound: spent <= total + the overshoot each running pair may have past its
 * own cap (README, "Budgets").
 */
export const MIN_START_SHARE = 0.05;

export class BatchBudget {
  private readonly totalUsd: number;
  private readonly perPairUsd: number | undefined;
  private readonly slots: number;
  private spentUsd = 0;
  private grantedUsd = 0;
  private running = 0;
  private waiters: Array<() => void> = [];
  private exhaustedFlag = false;
  private costliestPairUsd = 0;

  constructor(totalUsd: number, slots: number, perPairUsd: number | undefined) {
    this.totalUsd = totalUsd;
    this.slots = Math.max(1, slots);
    this.perPairUsd = perPairUsd;
  }

  get spent(): number {
    return this.spentUsd;
  }

  /** True once the batch stopped starting pairs for lack of budget. */
  get exhausted(): boolean {
    return this.exhaustedFlag;
  }

  /** A grant in USD for the next pair, or undefined: the batch must start no more pairs. */
  async take(signal: AbortSignal): Promise<number | undefined> {
    for (;;) {
      if (signal.aborted || this.exhaustedFlag) return undefined;
      const available = this.totalUsd - this.spentUsd - this.grantedUsd;
      if (available >= Math.max(this.totalUsd * MIN_START_SHARE, this.costliestPairUsd)) {
        const share = available / Math.max(1, this.slots - this.running);
        const grant = Math.min(
          this.perPairUsd ?? Number.POSITIVE_INFINITY,
          Math.max(share, this.costliestPairUsd),
        );
        this.grantedUsd += grant;
        this.running += 1;
        return grant;
      }
      if (this.running === 0) {
        this.exhaustedFlag = true;
        this.wakeAll();
        return undefined;
      }
      // Running pairs may hand back budget they did not use: wait for one to finish.
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** A pair that took `grant` finished having spent `costUsd`. */
  settle(grant: number, costUsd: number): void {
    this.grantedUsd -= grant;
    this.spentUsd += costUsd;
    this.costliestPairUsd = Math.max(this.costliestPairUsd, costUsd);
    this.running -= 1;
    this.wakeAll();
  }

  /** A pair's grant could not pay for its first call: stop starting pairs (it stays pending). */
  refused(grant: number): void {
    this.exhaustedFlag = true;
    this.settle(grant, 0);
  }

  private wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
