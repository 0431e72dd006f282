/** The engine's root turns carry its system prompt, which names llm_query; sub-calls do not. */
import type { SimRequest } from '@rlm/sim';

export function isRootRequest(request: SimRequest): boolean {
  const first = request.messages[0];
  return first?.role === 'system' && (first.content ?? '').includes('llm_query');
}
