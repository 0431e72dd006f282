/**
 * Caller tools: functions of the caller's process that the model's REPL code may call
 * (`await lookup_customer({ id: 7 })`). What travels with a session is only the spec (name,
 * description, JSON Schema of the arguments); the handler stays with the caller and is reached
 * through the request's `ToolCaller` (in-process, or over Redis in cluster mode).
 */
import { z } from 'zod';

/** A tool as sessions know it: enough to list it in the prompt and define it in the REPL. */
export const ToolSpec = z
  .object({
    name: z.string(),
    description: z.string(),
    /** A JSON Schema object describing the one argument (usually `{type: 'object', ...}`). */
    parameters: z.record(z.string(), z.unknown()),
  })
  .readonly();
export type ToolSpec = z.infer<typeof ToolSpec>;

/** One call of a tool from REPL code. */
export interface ToolCallRequest {
  /** Unique within the request: `<session>.<step>.tool<n>`. */
  readonly callId: string;
  readonly name: string;
  /** The argument as REPL code passed it (a structured-clone copy), not yet validated. */
  readonly args: unknown;
}

/** How a tool call ended: a JSON-safe value, or an error message the model will read. */
export type ToolCallOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/**
 * Runs caller tools for one request. Implementations validate the argument against the tool's
 * schema before the handler runs, and never throw: every failure (unknown tool, invalid argument,
 * handler error, no answer before `signal` fires) is an `{ok: false}` outcome.
 */
export interface ToolCaller {
  call(request: ToolCallRequest, signal: AbortSignal): Promise<ToolCallOutcome>;
}

/**
 * Names the REPL already defines (both languages), so a tool may not take them: a tool called
 * `context` or `FINAL` would silently replace the engine's own.
 */
export const RESERVED_TOOL_NAMES: ReadonlySet<string> = new Set([
  'context',
  'llm_query',
  'llm_query_batched',
  'rlm_query',
  'rlm_query_batched',
  'FINAL',
  'FINAL_VAR',
  'SHOW_VARS',
  'answer',
  'print',
  'console',
  'globalThis',
  'global',
  'undefined',
  'NaN',
  'Infinity',
]);

/** Identifiers valid in both JavaScript and Python: ASCII letters, digits and `_`, not starting with a digit. */
const TOOL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Words that are not valid as a function name in JavaScript or Python. */
const KEYWORDS = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof let new null return super switch this throw true try typeof var void while with yield ' +
    'and as assert async def del elif except from global is lambda nonlocal not or pass raise None True False'
  ).split(' '),
);

/** Why `name` cannot name a tool, or undefined when it can. */
export function toolNameProblem(name: string): string | undefined {
  if (!TOOL_NAME.test(name))
    return `tool name "${name}" is not a valid identifier (letters, digits and _, not starting with a digit, at most 64 characters)`;
  if (KEYWORDS.has(name)) return `tool name "${name}" is a JavaScript or Python keyword`;
  if (RESERVED_TOOL_NAMES.has(name) || name.startsWith('__'))
    return `tool name "${name}" would shadow a name the REPL defines (${[...RESERVED_TOOL_NAMES].slice(0, 8).join(', ')}, ...)`;
  return undefined;
}
