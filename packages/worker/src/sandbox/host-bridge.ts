/**
 * The host side of `llm_query` and friends: checks what user code sent, then calls the ReplHost.
 *
 * Arguments arrive as structured-clone copies of whatever the model's code passed, so nothing
 * about their shape can be assumed. Every problem resolves to an `Error: ...` string instead of
 * throwing, because the model reads sub-call failures as data (DESIGN section 2).
 */
import { assertNever, SubcallOptions } from '@rlm/shared';
import type { ReplHost } from './repl-host.ts';

export type HostCallName = 'llm_query' | 'llm_query_batched' | 'rlm_query' | 'rlm_query_batched';

/** The host call of a caller tool: the payload is the tool's argument, the options slot its name. */
export const TOOL_HOST_CALL = 'call_tool';

export async function dispatchHostCall(
  host: ReplHost,
  name: unknown,
  payload: unknown,
  rawOptions: unknown,
): Promise<unknown> {
  if (name === TOOL_HOST_CALL) return callTool(host, rawOptions, payload);
  if (!isHostCallName(name)) return `Error: unknown host function ${String(name)}`;
  const options = parseOptions(name, rawOptions);
  if (typeof options === 'string') return options;
  try {
    switch (name) {
      case 'llm_query':
      case 'rlm_query': {
        if (typeof payload !== 'string')
          return `Error: ${name} expects the prompt as a string, got ${describeType(payload)}`;
        const answer =
          name === 'llm_query' ? host.llmQuery(payload, options) : host.rlmQuery(payload, options);
        return await answer;
      }
      case 'llm_query_batched':
      case 'rlm_query_batched': {
        const prompts = checkPrompts(name, payload);
        if (typeof prompts === 'string') return prompts;
        if (prompts.length === 0) return [];
        const answers = await (name === 'llm_query_batched'
          ? host.llmQueryBatched(prompts, options)
          : host.rlmQueryBatched(prompts, options));
        if (answers.length !== prompts.length) {
          return `Error: ${name} got ${answers.length} answers for ${prompts.length} prompts`;
        }
        return answers;
      }
      default:
        return assertNever(name, 'host function');
    }
  } catch (error) {
    // The ReplHost contract says it never throws; if one does, the model still gets data.
    return `Error: ${name}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function callTool(host: ReplHost, toolName: unknown, args: unknown): Promise<unknown> {
  if (typeof toolName !== 'string') return 'Error: a tool call without a tool name';
  try {
    return await host.callTool(toolName, args);
  } catch (error) {
    return `Error: ${toolName}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function isHostCallName(name: unknown): name is HostCallName {
  return (
    name === 'llm_query' ||
    name === 'llm_query_batched' ||
    name === 'rlm_query' ||
    name === 'rlm_query_batched'
  );
}

function parseOptions(name: HostCallName, rawOptions: unknown): SubcallOptions | string {
  if (rawOptions === undefined || rawOptions === null) return {};
  const parsed = SubcallOptions.safeParse(rawOptions);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  return `Error: ${name}: invalid options (${problems.join('; ')}); allowed: {model, temperature, maxTokens}`;
}

function checkPrompts(name: HostCallName, payload: unknown): string[] | string {
  if (!Array.isArray(payload))
    return `Error: ${name} expects an array of prompt strings, got ${describeType(payload)}`;
  const prompts: string[] = [];
  for (const [index, prompt] of payload.entries()) {
    if (typeof prompt !== 'string') {
      return `Error: ${name} expects an array of prompt strings, but item ${index} is ${describeType(prompt)}`;
    }
    prompts.push(prompt);
  }
  return prompts;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
