/**
 * Runs caller tools in this process: the argument is validated against the tool's schema before
 * the handler runs, the handler gets a signal that fires on the request's stop or the tool's
 * timeout, and its result is made JSON (what the REPL receives in both modes). Never throws.
 */
import { untilAborted } from '@rlm/shared';
import type { ToolCallOutcome, ToolCallRequest, ToolCaller } from '@rlm/shared';
import type { PreparedTool } from './caller-tools.ts';

/** Largest tool result accepted, as JSON characters: a result is copied into the REPL whole. */
export const MAX_TOOL_RESULT_CHARS = 16 * 1024 * 1024;

export class LocalToolCaller implements ToolCaller {
  readonly #tools: ReadonlyMap<string, PreparedTool>;

  constructor(tools: ReadonlyMap<string, PreparedTool>) {
    this.#tools = tools;
  }

  async call(request: ToolCallRequest, signal: AbortSignal): Promise<ToolCallOutcome> {
    const tool = this.#tools.get(request.name);
    if (tool === undefined)
      return {
        ok: false,
        error: `unknown tool (available: ${[...this.#tools.keys()].join(', ')})`,
      };
    if (!tool.validate(request.args)) {
      const problems = (tool.validate.errors ?? []).map(
        (error) => `${error.instancePath || '(argument)'} ${error.message ?? 'is invalid'}`,
      );
      return { ok: false, error: `invalid argument: ${problems.join('; ')}` };
    }
    const timeout = AbortSignal.timeout(tool.timeoutMs);
    const callSignal = AbortSignal.any([signal, timeout]);
    try {
      const value = await untilAborted(
        Promise.resolve().then(() =>
          tool.handler(request.args, { signal: callSignal, callId: request.callId }),
        ),
        callSignal,
      );
      return jsonResult(value);
    } catch (error) {
      if (timeout.aborted && !signal.aborted)
        return { ok: false, error: `timed out after ${tool.timeoutMs} ms` };
      if (signal.aborted) return { ok: false, error: `stopped (${String(signal.reason)})` };
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
}

/** The value as JSON would carry it (undefined becomes null); refused when it is not JSON or too large. */
function jsonResult(value: unknown): ToolCallOutcome {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    return {
      ok: false,
      error: `the tool returned a value that is not JSON (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  if (text === undefined) return { ok: true, value: null };
  if (text.length > MAX_TOOL_RESULT_CHARS)
    return {
      ok: false,
      error: `the tool returned ${text.length.toLocaleString('en-US')} characters of JSON, more than the limit of ${MAX_TOOL_RESULT_CHARS.toLocaleString('en-US')}`,
    };
  return { ok: true, value: JSON.parse(text) as unknown };
}
