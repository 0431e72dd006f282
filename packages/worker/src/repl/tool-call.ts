/**
 * The host side of one caller-tool call from REPL code: an `execute_tool <name>` span, a
 * `tool-end` event, and the request's ToolCaller (in this process, or over Redis back to the
 * submitter). Every failure becomes an `Error: <name>: ...` string, the same shape `llm_query`
 * failures have, because REPL code must never see a host exception.
 */
import type { Context } from '@opentelemetry/api';
import { ATTR, SPAN_NAMES, untilAborted, withSpan } from '@rlm/shared';
import type { RequestRuntime, StepTask, ToolCallOutcome } from '@rlm/shared';

export interface ToolCallScope {
  readonly task: StepTask;
  /** The step's view of the request: its signal also fires when the step is abandoned. */
  readonly runtime: RequestRuntime;
  readonly trace?: Context;
}

export async function runToolCall(
  scope: ToolCallScope,
  callId: string,
  name: string,
  args: unknown,
): Promise<unknown> {
  const { task, runtime } = scope;
  const started = performance.now();
  let result: { value: unknown } | { error: string };
  const known = task.settings.tools?.some((tool) => tool.name === name) === true;
  if (!known) result = { error: `unknown tool (available: ${toolList(task)})` };
  else if (runtime.tools === undefined)
    result = { error: 'this request cannot reach its tools (no tool caller)' };
  else if (runtime.signal.aborted) result = { error: 'the request or step was stopped' };
  else {
    const tools = runtime.tools;
    result = await withSpan(
      SPAN_NAMES.tool(name),
      {
        ...(scope.trace === undefined ? {} : { parent: scope.trace }),
        attributes: {
          [ATTR.genAiOperationName]: 'execute_tool',
          [ATTR.genAiToolName]: name,
          [ATTR.rlmCallId]: callId,
          [ATTR.rlmDepth]: task.depth,
        },
      },
      async (span) => {
        // A handler that ignores its signal cannot hold the step: the stop answers first.
        const outcome = await untilAborted(
          tools.call({ callId, name, args }, runtime.signal),
          runtime.signal,
        ).catch((error: unknown): ToolCallOutcome => ({
          ok: false,
          error: runtime.signal.aborted
            ? `stopped before the tool answered (${String(runtime.signal.reason)})`
            : error instanceof Error
              ? error.message
              : String(error),
        }));
        if (!outcome.ok) span.setAttribute(ATTR.rlmToolError, true);
        return outcome.ok ? { value: outcome.value } : { error: outcome.error };
      },
    );
  }
  runtime.emit({
    type: 'tool-end',
    sessionId: task.sessionId,
    depth: task.depth,
    callId,
    name,
    step: task.step,
    ...('error' in result ? { error: result.error } : {}),
    durationMs: performance.now() - started,
  });
  return 'error' in result ? `Error: ${name}: ${result.error}` : result.value;
}

function toolList(task: StepTask): string {
  const names = (task.settings.tools ?? []).map((tool) => tool.name);
  return names.length === 0 ? 'none' : names.join(', ');
}
