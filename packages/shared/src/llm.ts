/** The shapes of one LLM completion, shared by the root loop and sub-calls. */
import type { CompletionRequest, CompletionResponse, Spend, TokenUsage } from './jobs/task-schemas.ts';

/** The port of a chat-completion provider. Implementations throw RlmError and honour the signal. */
export interface LlmProvider {
  complete(request: CompletionRequest, signal: AbortSignal): Promise<CompletionResponse>;
}

export const ZERO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
  };
}

export const ZERO_SPEND: Spend = { usage: ZERO_USAGE, costUsd: 0, calls: 0 };

export function addSpend(a: Spend, b: Spend): Spend {
  return { usage: addUsage(a.usage, b.usage), costUsd: a.costUsd + b.costUsd, calls: a.calls + b.calls };
}
