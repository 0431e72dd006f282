import type { RlmResult } from '@rlm/sdk';

/** One line of what a request did and cost: `rlm run`'s and `rlm chat`'s footer (stderr). */
export function summaryLine(result: RlmResult): string {
  const tokens = result.usage.inputTokens + result.usage.outputTokens;
  return `[${result.stopReason}] ${result.iterations} turns, ${result.subcalls} sub-calls (${result.cacheHits} cached), ${result.usage.calls} LLM calls, ${tokens.toLocaleString('en-US')} tokens, $${result.costUsd.toFixed(4)}, ${(result.durationMs / 1000).toFixed(1)} s`;
}
