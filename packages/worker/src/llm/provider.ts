/** A chat-completion provider. Implementations throw RlmError and honour the signal. */
import type { CompletionRequest, CompletionResponse } from '@rlm/shared';

export interface LlmProvider {
  complete(request: CompletionRequest, signal: AbortSignal): Promise<CompletionResponse>;
}
