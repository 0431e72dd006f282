/** The result-cache key of a sub-call: hash(model, sampling parameters, prompt). */
import { hashValue } from '@rlm/shared';
import type { CompletionRequest } from '@rlm/shared';

export function subcallCacheKey(request: CompletionRequest): string {
  return hashValue({
    v: 1,
    model: request.model,
    temperature: request.temperature ?? null,
    maxTokens: request.maxTokens ?? null,
    messages: request.messages,
  });
}
