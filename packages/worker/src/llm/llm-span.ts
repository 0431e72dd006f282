/**
 * The `chat <model>` span of one LLM call: GenAI request attributes at the
 * start, usage and finish reason at the end; cache hits and joined calls are
 * marked and linked to the span that called the provider. Content (messages,
 * completion) is recorded only when the user opted in.
 */
import { ATTR, parseTraceparent, PROVIDER_NAME, truncateContent } from '@rlm/shared';
import type { Attributes, Span } from '@opentelemetry/api';
import type { CompletionResponse, LlmCallTask } from '@rlm/shared';

export function chatRequestAttributes(task: LlmCallTask, recordContent: boolean): Attributes {
  const request = task.request;
  return {
    [ATTR.genAiOperationName]: 'chat',
    [ATTR.genAiProviderName]: PROVIDER_NAME,
    [ATTR.genAiRequestModel]: request.model,
    [ATTR.rlmCallId]: task.callId,
    [ATTR.rlmCallPurpose]: task.purpose,
    [ATTR.rlmSessionId]: task.sessionId,
    [ATTR.rlmDepth]: task.depth,
    ...(request.maxTokens === undefined ? {} : { [ATTR.genAiRequestMaxTokens]: request.maxTokens }),
    ...(request.temperature === undefined
      ? {}
      : { [ATTR.genAiRequestTemperature]: request.temperature }),
    ...(recordContent
      ? {
          [ATTR.genAiInputMessages]: truncateContent(
            JSON.stringify(request.messages.map(({ role, content }) => ({ role, content }))),
          ),
        }
      : {}),
  };
}

/** Usage of a call that reached the provider. */
export function recordChatResponse(
  span: Span,
  response: CompletionResponse,
  recordContent: boolean,
): void {
  span.setAttributes({
    [ATTR.genAiResponseModel]: response.model,
    [ATTR.genAiInputTokens]: response.usage.inputTokens,
    [ATTR.genAiOutputTokens]: response.usage.outputTokens,
    [ATTR.genAiCacheReadInputTokens]: response.usage.cachedInputTokens,
    [ATTR.rlmCacheHit]: false,
    ...(response.finishReason === undefined
      ? {}
      : { [ATTR.genAiResponseFinishReasons]: [response.finishReason] }),
    ...(recordContent ? { [ATTR.genAiOutputMessages]: truncateContent(response.content) } : {}),
  });
}

/** A call answered without a provider request: marked, and linked to the span that produced the answer. */
export function recordReuse(
  span: Span,
  response: CompletionResponse,
  source: 'cache' | 'coalesced',
  recordContent: boolean,
): void {
  span.setAttributes({
    [ATTR.rlmCacheHit]: true,
    [ATTR.rlmCacheSource]: source,
    [ATTR.genAiResponseModel]: response.model,
    ...(recordContent ? { [ATTR.genAiOutputMessages]: truncateContent(response.content) } : {}),
  });
  const producer = parseTraceparent(response.producerTraceparent);
  if (producer !== undefined)
    span.addLink({ context: producer, attributes: { [ATTR.rlmCacheSource]: source } });
}
