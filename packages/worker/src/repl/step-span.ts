/**
 * The `execute_tool repl` span of one REPL step. Sub-calls made by the step's
 * code hang under it: the span's context is handed to the SubcallHost,
 * because calls out of the isolate do not carry the async context along.
 */
import { context } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { ATTR, SPAN_NAMES, truncateContent, withSpan } from '@rlm/shared';
import type { StepResult, StepTask } from '@rlm/shared';

export function withStepSpan(
  task: StepTask,
  body: (trace: Context) => Promise<StepResult>,
): Promise<StepResult> {
  const recordContent = task.settings.recordContent ?? false;
  const attributes = {
    [ATTR.genAiOperationName]: 'execute_tool',
    [ATTR.genAiToolName]: 'repl',
    [ATTR.rlmSessionId]: task.sessionId,
    [ATTR.rlmDepth]: task.depth,
    [ATTR.rlmStep]: task.step,
    ...(recordContent ? { [ATTR.rlmReplCode]: truncateContent(task.code) } : {}),
  };
  return withSpan(SPAN_NAMES.replStep, { attributes }, async (span) => {
    const result = await body(context.active());
    span.setAttributes({
      [ATTR.rlmReplDurationMs]: result.durationMs,
      [ATTR.rlmReplOutputChars]: result.outputTotalChars,
      [ATTR.rlmReplFinal]: result.final !== undefined,
      ...(result.reset === undefined ? {} : { [ATTR.rlmReplReset]: result.reset }),
      // Errors in user code are data, not exceptions: the span still says what kind.
      ...(result.error === undefined ? {} : { [ATTR.errorType]: result.error.name }),
      ...(recordContent ? { [ATTR.rlmReplOutput]: truncateContent(result.output) } : {}),
    });
    return result;
  });
}
