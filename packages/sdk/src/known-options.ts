/**
 * The SDK refuses option keys it does not know: a typo such as `baseURL`
 * (the openai client's spelling) for `baseUrl` would otherwise be ignored and
 * the request would go to the wrong endpoint, and `overrides: { maxCost }`
 * would run with no cost cap. Case-insensitive matches are suggested.
 */
import { EngineConfig, RlmError } from '@rlm/shared';

/** Options of the SDK itself, beside the engine settings. */
const SDK_KEYS = ['redisPrefix', 'env', 'provider', 'cache', 'onEvent', 'tools'] as const;

const KNOWN_KEYS: readonly string[] = [...Object.keys(EngineConfig.shape), ...SDK_KEYS];

/** The settings one request may change over the instance's (`RequestOverrides`). */
export const REQUEST_OVERRIDE_KEYS = [
  'model',
  'subModel',
  'maxDepth',
  'maxIterations',
  'maxTokens',
  'maxCostUsd',
  'timeoutSec',
  'temperature',
  'repl',
  'contextWindow',
] as const satisfies ReadonlyArray<keyof EngineConfig>;

/** Keys of `completion(..., options)`, `conversation(context, options)` and `ask(question, options)`. */
export const COMPLETION_KEYS = ['signal', 'onEvent', 'overrides', 'instructions'] as const;
export const CONVERSATION_KEYS = ['overrides', 'instructions', 'onEvent'] as const;
export const ASK_KEYS = ['signal', 'onEvent', 'overrides'] as const;

export function assertKnownOptions(options: object): void {
  assertKnown(options, KNOWN_KEYS, 'RLM option');
}

/** Checks the keys of per-request options and of their `overrides`. */
export function assertKnownRequestOptions(
  options: { readonly overrides?: object | undefined },
  keys: readonly string[],
  what: string,
): void {
  assertKnown(options, keys, what);
  if (options.overrides !== undefined) assertKnown(options.overrides, REQUEST_OVERRIDE_KEYS, 'request override');
}

function assertKnown(options: object, known: readonly string[], what: string): void {
  const problems: string[] = [];
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = known.find((name) => name.toLowerCase() === key.toLowerCase());
    problems.push(`unknown ${what} "${key}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`);
  }
  if (problems.length > 0) throw new RlmError('config_invalid', problems.join('\n'));
}
