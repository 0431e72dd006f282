/**
 * Spans of the session loop: `invoke_agent rlm` around a whole session (one
 * per depth level of the tree) and `iteration <n>` around each turn. Kept out
 * of run-session.ts so the loop still reads as pseudo-code.
 */
import { AGENT_NAME, ATTR, SPAN_NAMES, truncateContent, withSpan } from '@rlm/shared';
import type { RequestRuntime, SessionOutcome, SessionTask } from '@rlm/shared';

export function withSessionSpan(
  task: SessionTask,
  runtime: RequestRuntime,
  body: () => Promise<SessionOutcome>,
): Promise<SessionOutcome> {
  const recordContent = task.settings.recordContent ?? false;
  const attributes = {
    [ATTR.genAiOperationName]: 'invoke_agent',
    [ATTR.genAiAgentName]: AGENT_NAME,
    [ATTR.genAiRequestModel]: task.settings.model,
    [ATTR.genAiConversationId]: task.sessionId,
    [ATTR.rlmSessionId]: task.sessionId,
    [ATTR.rlmRootId]: runtime.rootId,
    [ATTR.rlmDepth]: task.depth,
    ...(task.parentSessionId === undefined
      ? {}
      : { [ATTR.rlmParentSessionId]: task.parentSessionId }),
    ...(recordContent ? { [ATTR.rlmQuery]: truncateContent(task.query) } : {}),
  };
  return withSpan(SPAN_NAMES.session, { attributes }, async (span) => {
    const outcome = await body();
    span.setAttributes({
      [ATTR.rlmStopReason]: outcome.stopReason,
      [ATTR.rlmIterations]: outcome.iterations,
      ...(outcome.error === undefined ? {} : { [ATTR.errorType]: outcome.error.code }),
      // What the whole subtree spent: this session's turns, its steps' sub-calls, its children.
      ...(outcome.spend === undefined
        ? {}
        : {
            [ATTR.genAiInputTokens]: outcome.spend.usage.inputTokens,
            [ATTR.genAiOutputTokens]: outcome.spend.usage.outputTokens,
            [ATTR.genAiCacheReadInputTokens]: outcome.spend.usage.cachedInputTokens,
            [ATTR.rlmCostUsd]: outcome.spend.costUsd,
            [ATTR.rlmCalls]: outcome.spend.calls,
          }),
      ...(recordContent ? { [ATTR.rlmAnswer]: truncateContent(outcome.answer) } : {}),
    });
    return outcome;
  });
}

export function withIterationSpan<T>(
  task: SessionTask,
  iteration: number,
  body: () => Promise<T>,
): Promise<T> {
  const attributes = {
    [ATTR.rlmSessionId]: task.sessionId,
    [ATTR.rlmDepth]: task.depth,
    [ATTR.rlmIteration]: iteration,
  };
  return withSpan(SPAN_NAMES.iteration(iteration), { attributes }, () => body());
}
