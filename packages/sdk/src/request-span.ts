/**
 * The root span of one request, opened by the SDK around everything the
 * request does: its trace id is the one the result reports, so a caller can
 * look the request up in the tracing backend. With tracing off, the result
 * keeps a trace id in the W3C format that names nothing.
 */
import { ATTR, SPAN_NAMES, withSpan } from '@rlm/shared';
import type { RlmResult } from './rlm-result.ts';

export function withRequestSpan(
  rootId: string,
  mode: 'embedded' | 'cluster',
  body: () => Promise<RlmResult>,
): Promise<RlmResult> {
  return withSpan(
    SPAN_NAMES.request,
    { attributes: { [ATTR.rlmRootId]: rootId, 'rlm.mode': mode } },
    async (span) => {
      const traceId = span.isRecording() ? span.spanContext().traceId : undefined;
      const result = await body();
      span.setAttributes({
        [ATTR.rlmStopReason]: result.stopReason,
        [ATTR.rlmIterations]: result.iterations,
        [ATTR.genAiInputTokens]: result.usage.inputTokens,
        [ATTR.genAiOutputTokens]: result.usage.outputTokens,
        [ATTR.genAiCacheReadInputTokens]: result.usage.cachedInputTokens,
      });
      return traceId === undefined ? result : { ...result, traceId };
    },
  );
}
