import { describe, expect, it } from 'vitest';
import type { CompletionResponse } from '@rlm/shared';
import { useRedis } from '../../../test/support/redis-fixture.ts';
import { createRedisClient } from './redis-client.ts';
import { RedisResultCache } from './redis-result-cache.ts';

const fixture = useRedis();

const response: CompletionResponse = {
  content: 'forty-two',
  model: 'sim-small',
  usage: { inputTokens: 10, outputTokens: 2, cachedInputTokens: 0 },
  finishReason: 'stop',
};

describe('RedisResultCache', () => {
  it('stores results with the configured TTL', async () => {
    const keys = fixture.freshKeys();
    const cache = new RedisResultCache(fixture.client(), keys, {
      namespace: 'subcall-v1',
      ttlSeconds: 90,
    });
    await cache.set('k', response);
    const ttl = await fixture.client().ttl(keys.result('subcall-v1', 'k'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(90);
    expect(await cache.get('k')).toEqual(response);
  });

  it('keeps namespaces apart', async () => {
    const keys = fixture.freshKeys();
    await new RedisResultCache(fixture.client(), keys, { namespace: 'v1', ttlSeconds: 60 }).set(
      'k',
      response,
    );
    expect(
      await new RedisResultCache(fixture.client(), keys, { namespace: 'v2', ttlSeconds: 60 }).get(
        'k',
      ),
    ).toBeUndefined();
  });

  it('treats a value of another shape as a miss', async () => {
    const keys = fixture.freshKeys();
    await fixture.client().set(keys.result('v1', 'k'), JSON.stringify({ answer: 42 }));
    expect(
      await new RedisResultCache(fixture.client(), keys, { namespace: 'v1', ttlSeconds: 60 }).get(
        'k',
      ),
    ).toBeUndefined();
  });

  it('misses on get and swallows set when Redis is unreachable', async () => {
    const down = createRedisClient(`redis://127.0.0.1:${fixture.port()}`, 'commands', {
      lazyConnect: true,
      enableOfflineQueue: false,
    });
    try {
      const cache = new RedisResultCache(down, fixture.freshKeys(), {
        namespace: 'v1',
        ttlSeconds: 60,
      });
      await expect(cache.set('k', response)).resolves.toBeUndefined();
      await expect(cache.get('k')).resolves.toBeUndefined();
    } finally {
      down.disconnect();
    }
  });
});
