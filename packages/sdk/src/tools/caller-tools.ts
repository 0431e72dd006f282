/**
 * `tools` as SDK callers declare them, checked once when the RLM is built: every name is a valid
 * identifier that shadows nothing the REPL defines, every schema compiles (a zod schema is turned
 * into JSON Schema first), and the specs that travel with sessions are JSON.
 */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { z } from 'zod';
import { RlmError, toolNameProblem } from '@rlm/shared';
import type { ToolSpec } from '@rlm/shared';

/** What a handler gets besides its argument. */
export interface ToolCallContext {
  /** Fires when the request is stopped (budget, deadline, cancel) or the call timed out: stop working. */
  readonly signal: AbortSignal;
  /** Unique within the request (`<session>.<step>.<n>`). */
  readonly callId: string;
}

export interface CallerTool {
  /** What the tool does, for the model (shown in the system prompt). */
  readonly description: string;
  /** A JSON Schema object for the argument, or a zod schema (turned into JSON Schema with `z.toJSONSchema`). */
  readonly parameters: Readonly<Record<string, unknown>> | z.ZodType;
  /** Runs in the caller's process; its result must be JSON-safe. A throw reaches the model as an `Error: ...` string. */
  readonly handler: (args: never, context: ToolCallContext) => unknown;
  /** How long one call may take before the model gets a timeout error; default 60 s. */
  readonly timeoutMs?: number;
}

export type CallerTools = Readonly<Record<string, CallerTool>>;

/** A tool ready to run: its spec, its compiled validator and its handler. */
export interface PreparedTool {
  readonly spec: ToolSpec;
  readonly validate: ValidateFunction;
  readonly handler: (args: unknown, context: ToolCallContext) => unknown;
  readonly timeoutMs: number;
}

export const DEFAULT_TOOL_TIMEOUT_MS = 60_000;

/** Throws one `config_invalid` error listing every problem. */
export function prepareTools(tools: CallerTools): ReadonlyMap<string, PreparedTool> {
  const problems: string[] = [];
  const prepared = new Map<string, PreparedTool>();
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const [name, tool] of Object.entries(tools)) {
    const nameProblem = toolNameProblem(name);
    if (nameProblem !== undefined) {
      problems.push(nameProblem);
      continue;
    }
    if (tool === null || typeof tool !== 'object') {
      problems.push(`tool "${name}": expected {description, parameters, handler}`);
      continue;
    }
    if (typeof tool.handler !== 'function') problems.push(`tool "${name}": handler must be a function`);
    if (typeof tool.description !== 'string') problems.push(`tool "${name}": description must be a string`);
    if (tool.timeoutMs !== undefined && !(Number.isFinite(tool.timeoutMs) && tool.timeoutMs > 0))
      problems.push(`tool "${name}": timeoutMs must be a positive number`);
    const parameters = jsonSchemaOf(name, tool.parameters);
    if (typeof parameters === 'string') {
      problems.push(parameters);
      continue;
    }
    let validate: ValidateFunction;
    try {
      // The dialect is ours to pick (draft-07, Ajv's default): a `$schema` naming another would only fail the compile.
      const { $schema: _dialect, ...schema } = parameters;
      validate = ajv.compile(schema);
    } catch (error) {
      problems.push(`tool "${name}": parameters is not a valid JSON Schema (${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    prepared.set(name, {
      spec: { name, description: String(tool.description), parameters },
      validate,
      handler: tool.handler as (args: unknown, context: ToolCallContext) => unknown,
      timeoutMs: tool.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS,
    });
  }
  if (problems.length > 0) throw new RlmError('config_invalid', problems.join('\n'));
  return prepared;
}

function jsonSchemaOf(name: string, parameters: unknown): Record<string, unknown> | string {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters))
    return `tool "${name}": parameters must be a JSON Schema object or a zod schema`;
  if ('_zod' in parameters) {
    try {
      return z.toJSONSchema(parameters as z.ZodType, { target: 'draft-7' }) as Record<string, unknown>;
    } catch (error) {
      return `tool "${name}": the zod schema has no JSON Schema form (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  // The spec travels in job payloads and the prompt: it must survive JSON.
  try {
    return JSON.parse(JSON.stringify(parameters)) as Record<string, unknown>;
  } catch {
    return `tool "${name}": parameters must be plain JSON`;
  }
}
