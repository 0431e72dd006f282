/**
 * One redis-server per test file (started in beforeAll, stopped in afterAll)
 * and a fresh key prefix per use, so tests never see each other's keys.
 * Used by the contract suites and by the Redis driver tests in packages/redis.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createRedisClient, RedisKeys } from '@rlm/redis';
import { startRedisServer } from './redis-server.ts';
import type { RedisServer } from './redis-server.ts';

export interface RedisFixture {
  /** The file's shared command client. */
  client(): Redis;
  /** The server's URL, for tests that open clients of their own. */
  url(): string;
  port(): number;
  /** Keys under a prefix no other test uses. */
  freshKeys(): RedisKeys;
}

export function useRedis(): RedisFixture {
  let server: RedisServer | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = createRedisClient(server.url);
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });
  const started = (): { server: RedisServer; redis: Redis } => {
    if (server === undefined || redis === undefined)
      throw new Error('Redis is only available inside tests');
    return { server, redis };
  };
  return {
    client: () => started().redis,
    url: () => started().server.url,
    port: () => started().server.port,
    freshKeys: () => new RedisKeys(`t-${randomUUID()}`),
  };
}
