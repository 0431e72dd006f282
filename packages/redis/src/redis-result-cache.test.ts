import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionResponse } from '@rlm/shared';
import { startRedisServer } from '../../../test/support/redis-server.ts';
import type { RedisServer } from '../../../test/support/redis-server.ts';
import { createRedisClient } from './redis-client.ts';
import { RedisKeys } from './redis-keys.ts';
import { RedisResultCache } from './redis-result-cache.ts';

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedisClient(server.url);
});

afterAll(async () => {
  await redis.quit();
  await server.stop();
});

const response: CompletionResponse = {
  content: 'forty-two',
  model: 'sim-small',
  usage: { inputTokens: 10, outputTokens: 2, cachedInputTokens: 0 },
  finishReason: 'stop',
};

describe('RedisResultCache', () => {
  it('stores results with the configured TTL', async () => {
    const keys = new RedisKeys(`t-${randomUUID()}`);
    const cache = new RedisResultCache(redis, keys, { namespace: 'subcall-v1', ttlSeconds: 90 });
    await cache.set('k', response);
    const ttl = await redis.ttl(keys.result('subcall-v1', 'k'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(90);
    expect(await cache.get('k')).toEqual(response);
  });

  it('keeps namespaces apart', async () => {
    const keys = new RedisKeys(`t-${randomUUID()}`);
    await new RedisResultCache(redis, keys, { namespace: 'v1', ttlSeconds: 60 }).set('k', response);
    expect(
      await new RedisResultCache(redis, keys, { namespace: 'v2', ttlSeconds: 60 }).get('k'),
    ).toBeUndefined();
  });

  it('treats a value of another shape as a miss', async () => {
    const keys = new RedisKeys(`t-${randomUUID()}`);
    await redis.set(keys.result('v1', 'k'), JSON.stringify({ answer: 42 }));
    expect(
      await new RedisResultCache(redis, keys, { namespace: 'v1', ttlSeconds: 60 }).get('k'),
    ).toBeUndefined();
  });

  it('misses on get and swallows set when Redis is unreachable', async () => {
    const down = createRedisClient(`redis://127.0.0.1:${server.port}`, 'commands', {
      lazyConnect: true,
      enableOfflineQueue: false,
    });
    try {
      const cache = new RedisResultCache(down, new RedisKeys(`t-${randomUUID()}`), {
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
