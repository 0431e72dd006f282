import type { CompletionResponse, ResultCache } from '@rlm/shared';
import { RedisResultCache } from '@rlm/redis';
import { useRedis } from '../support/redis-fixture.ts';
import { describeResultCacheContract } from './result-cache-contract.ts';

/** The smallest in-memory ResultCache: the reference the Redis driver is held to. */
class MapResultCache implements ResultCache {
  private readonly entries = new Map<string, CompletionResponse>();

  get(key: string): Promise<CompletionResponse | undefined> {
    return Promise.resolve(this.entries.get(key));
  }

  set(key: string, value: CompletionResponse): Promise<void> {
    this.entries.set(key, value);
    return Promise.resolve();
  }
}

const redis = useRedis();

describeResultCacheContract('MapResultCache', () => new MapResultCache());
describeResultCacheContract(
  'RedisResultCache',
  () =>
    new RedisResultCache(redis.client(), redis.freshKeys(), {
      namespace: 'subcall-v1',
      ttlSeconds: 60,
    }),
);
