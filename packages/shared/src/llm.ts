/** The shapes of one LLM completion, shared by the root loop and sub-calls. */
import type { CompletionRequest, CompletionResponse, TokenUsage } from './jobs/task-schemas.ts';

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
