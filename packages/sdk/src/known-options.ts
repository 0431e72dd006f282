/**
 * `new RLM(options)` refuses keys it does not know: a typo such as `baseURL`
 * (the openai client's spelling) for `baseUrl` would otherwise be ignored and
 * the request would go to the wrong endpoint. Case-insensitive matches are
 * suggested.
 */
import { EngineConfig, RlmError } from '@rlm/shared';

/** Options of the SDK itself, beside the engine settings. */
const SDK_KEYS = ['redisPrefix', 'env', 'provider', 'cache', 'onEvent', 'tools'] as const;

const KNOWN_KEYS: readonly string[] = [...Object.keys(EngineConfig.shape), ...SDK_KEYS];

export function assertKnownOptions(options: object): void {
  const problems: string[] = [];
  for (const key of Object.keys(options)) {
    if (KNOWN_KEYS.includes(key)) continue;
    const near = KNOWN_KEYS.find((known) => known.toLowerCase() === key.toLowerCase());
    problems.push(
      `unknown RLM option "${key}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`,
    );
  }
  if (problems.length > 0) throw new RlmError('config_invalid', problems.join('\n'));
}
