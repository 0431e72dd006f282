import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer } from '../../../test/support/redis-server.ts';
import type { RedisServer } from '../../../test/support/redis-server.ts';
import { createRedisClient } from './redis-client.ts';
import { RedisKeys } from './redis-keys.ts';
import { RedisLimiter } from './redis-limiter.ts';

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

describe('RedisLimiter (cluster behaviour beyond the Limiter contract)', () => {
  it('frees the slot of a holder that never releases once its lease runs out', async () => {
    const keys = new RedisKeys(`t-${randomUUID()}`);
    const crashed = new RedisLimiter(redis, keys, { rootId: 'r', capacity: 1, leaseMs: 100 });
    await crashed.acquire(new AbortController().signal); // never released: the holder "crashed"
    const survivor = new RedisLimiter(redis, keys, { rootId: 'r', capacity: 1 });
    const started = performance.now();
    const release = await survivor.acquire(new AbortController().signal);
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
    release();
  });

  it('caps holders across instances on different connections', async () => {
    const keys = new RedisKeys(`t-${randomUUID()}`);
    const clients = [redis, createRedisClient(server.url), createRedisClient(server.url)];
    try {
      const limiters = clients.map(
        (client) => new RedisLimiter(client, keys, { rootId: 'r', capacity: 2 }),
      );
      const signal = new AbortController().signal;
      let holding = 0;
      let peak = 0;
      await Promise.all(
        Array.from({ length: 24 }, async (_, index) => {
          const release = await limiters[index % limiters.length]!.acquire(signal);
          holding += 1;
          peak = Math.max(peak, holding);
          expect(await redis.zcard(keys.limiter('r'))).toBeLessThanOrEqual(2);
          holding -= 1;
          release();
        }),
      );
      expect(peak).toBeLessThanOrEqual(2);
    } finally {
      await Promise.all(clients.slice(1).map((client) => client.quit()));
    }
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RedisLimiter(redis, new RedisKeys('x'), { rootId: 'r', capacity: 0 })).toThrow(
      /positive integer/,
    );
  });
});
