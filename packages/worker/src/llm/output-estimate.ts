/**
 * How many output tokens a call reserves before it runs. Reserving every
 * call's full output cap refuses work a budget can afford (32 parallel calls
 * x 4,096 tokens looks like $0.26 on a $2/M model before anything has
 * returned), so a call reserves what calls of the same kind (root turns,
 * sub-calls) in the same request have actually returned so far: the largest
 * output seen, FIRST_OUTPUT_ESTIMATE before the first one returns, never more
 * than the call's own output cap. Settlement then replaces the estimate with
 * the reported usage.
 *
 * What this costs (README, "Budgets"): a call may spend up to its cap minus
 * its estimate beyond its reservation, and up to `concurrency` calls are in
 * flight at once, so a cap can be overshot by at most
 * concurrency x maxOutputTokens x the output price (tokens: concurrency x
 * maxOutputTokens). Kept per process: in cluster mode each worker learns
 * from the calls it has seen of the request.
 */
import type { LlmCallTask } from '@rlm/shared';

/** Output tokens reserved before any call of the kind has returned: a short reply. */
export const FIRST_OUTPUT_ESTIMATE = 256;
/** Requests remembered; the oldest is forgotten first (a forgotten request starts again from the first estimate). */
const MAX_REQUESTS = 10_000;

export class OutputEstimator {
  private readonly largest = new Map<string, number>();

  /** Output tokens to reserve for a call whose output cap is `cap`. */
  estimate(rootId: string, purpose: LlmCallTask['purpose'], cap: number): number {
    return Math.min(cap, this.largest.get(`${rootId}/${purpose}`) ?? FIRST_OUTPUT_ESTIMATE);
  }

  /** Learns from a returned call's reported output. */
  observe(rootId: string, purpose: LlmCallTask['purpose'], outputTokens: number): void {
    const key = `${rootId}/${purpose}`;
    const seen = this.largest.get(key);
    if (seen !== undefined && seen >= outputTokens) return;
    this.largest.delete(key);
    this.largest.set(key, outputTokens);
    if (this.largest.size > MAX_REQUESTS) {
      const oldest = this.largest.keys().next().value;
      if (oldest !== undefined) this.largest.delete(oldest);
    }
  }
}
