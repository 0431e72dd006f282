/**
 * Sub-call results shared by every worker: JSON under `result(namespace, key)`
 * with a TTL. The namespace separates caches whose keys could collide (for
 * instance two deployments or two cache versions on one Redis).
 *
 * The cache is an optimisation, never a dependency: a Redis failure on `get`
 * is a miss, and a failure on `set` is swallowed, because the call it would
 * cache has already succeeded and been paid for; failing it now would waste
 * that spend and turn a cache outage into a request outage. Nothing is logged
 * here: a Redis outage shows up in the client's own events and in every other
 * driver, once, rather than on every cached call.
 */
import type { CompletionResponse, ResultCache } from '@rlm/shared';
import type { RedisClient } from './redis-client.ts';
import type { RedisKeys } from './redis-keys.ts';

export interface RedisResultCacheOptions {
  /** Separates independent caches sharing one Redis (e.g. `subcall-v1`). */
  readonly namespace: string;
  /** How long a result stays cached. */
  readonly ttlSeconds: number;
}

export class RedisResultCache implements ResultCache {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;
  private readonly options: RedisResultCacheOptions;

  constructor(redis: RedisClient, keys: RedisKeys, options: RedisResultCacheOptions) {
    this.redis = redis;
    this.keys = keys;
    this.options = options;
  }

  async get(key: string): Promise<CompletionResponse | undefined> {
    try {
      const value = await this.redis.get(this.keys.result(this.options.namespace, key));
      return value === null ? undefined : parseResponse(value);
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: CompletionResponse): Promise<void> {
    try {
      await this.redis.set(
        this.keys.result(this.options.namespace, key),
        JSON.stringify(value),
        'EX',
        this.options.ttlSeconds,
      );
    } catch {
      // Swallowed on purpose: see the module comment.
    }
  }
}

/** A stored value that is not a completion (corrupt, or another version's format) is a miss. */
export function parseResponse(value: string): CompletionResponse | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const candidate = parsed as Partial<CompletionResponse>;
  if (typeof candidate.content !== 'string' || typeof candidate.model !== 'string')
    return undefined;
  const usage = candidate.usage;
  if (
    typeof usage !== 'object' ||
    typeof usage.inputTokens !== 'number' ||
    typeof usage.outputTokens !== 'number'
  ) {
    return undefined;
  }
  return candidate as CompletionResponse;
}
