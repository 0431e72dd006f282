/** The shapes of one LLM completion, shared by the root loop and sub-calls. */
export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string;
}

export interface CompletionRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly temperature?: number;
  /** Cap on output tokens sent to the provider. */
  readonly maxTokens?: number;
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Input tokens the provider served from its prefix cache. */
  readonly cachedInputTokens: number;
}

export interface CompletionResponse {
  /** The reply text; empty when the provider returned null or empty content. */
  readonly content: string;
  readonly usage: TokenUsage;
  readonly model: string;
  readonly finishReason?: string;
  /**
   * W3C traceparent of the span that called the provider (tracing only). Kept with cached
   * results so that a cache hit or a joined call can link to the span that produced it.
   */
  readonly producerTraceparent?: string;
}

export const ZERO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
  };
}
