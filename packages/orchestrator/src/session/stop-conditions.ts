/**
 * The loop's stop conditions, one small predicate each. `final` and
 * `max_iterations` come from the loop itself; these are the interrupts.
 */
import type { InterruptReason, RequestRuntime } from '@rlm/shared';

/** The request was stopped (budget refusal, deadline, caller's cancel): the runtime knows why. */
export function interruptedBy(runtime: RequestRuntime): InterruptReason | undefined {
  return runtime.signal.aborted ? (runtime.stopReason() ?? 'cancelled') : undefined;
}

/** Settled usage reached a cap: stop before starting another turn. */
export async function budgetReached(runtime: RequestRuntime): Promise<InterruptReason | undefined> {
  const reason = await runtime.ledger.exhausted();
  if (reason !== undefined) runtime.stop(reason);
  return reason;
}

export async function shouldStop(runtime: RequestRuntime): Promise<InterruptReason | undefined> {
  return interruptedBy(runtime) ?? (await budgetReached(runtime)) ?? interruptedBy(runtime);
}
