/** The result of one RLM request: the JSON shape of `rlm run --json` (DESIGN section 4). */
import type { LedgerTotals, RequestResult, SessionOutcome } from '@rlm/shared';

export interface RlmResult extends RequestResult {
  readonly traceId: string;
  /** Present when stopReason is "error". */
  readonly error?: { readonly code: string; readonly message: string };
}

/** The result of a root session and its request's ledger totals, in the contract's shape. */
export function toRlmResult(
  outcome: SessionOutcome,
  totals: LedgerTotals,
  extra: { readonly traceId: string; readonly durationMs: number },
): RlmResult {
  return {
    answer: outcome.answer,
    stopReason: outcome.stopReason,
    iterations: outcome.iterations,
    subcalls: totals.subcalls,
    usage: { ...totals.usage, calls: totals.calls },
    cacheHits: totals.cacheHits,
    costUsd: totals.costUsd,
    durationMs: extra.durationMs,
    traceId: extra.traceId,
    ...(outcome.error === undefined
      ? {}
      : { error: { code: outcome.error.code, message: outcome.error.message } }),
  };
}
