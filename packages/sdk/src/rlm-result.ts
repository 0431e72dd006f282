/** The result of one RLM request: the JSON shape of `rlm run --json` (DESIGN section 4). */
import type { LedgerTotals, SessionOutcome, StopReason } from '@rlm/shared';

export interface RlmResult {
  readonly answer: string;
  readonly stopReason: StopReason;
  /** Root-model turns of the root session. */
  readonly iterations: number;
  /** llm_query / rlm_query calls across the whole tree, cache hits included. */
  readonly subcalls: number;
  readonly usage: {
    readonly inputTokens: number;
    readonly outputTokens: number;
    readonly cachedInputTokens: number;
    /** Provider calls made across the tree (cache hits excluded). */
    readonly calls: number;
  };
  /** Sub-calls answered by the result cache or by an identical call in flight. */
  readonly cacheHits: number;
  readonly costUsd: number;
  readonly durationMs: number;
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
    ...(outcome.error === undefined ? {} : { error: { code: outcome.error.code, message: outcome.error.message } }),
  };
}
