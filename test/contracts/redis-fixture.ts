/**
 * One redis-server per test file (started in beforeAll, stopped in afterAll)
 * and a fresh key prefix per use, so tests never see each other's keys.
 *
 * @rlm/redis is imported by path until test/package.json lists it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { createRedisClient, RedisKeys } from '@rlm/redis';
import type { RedisClient } from '@rlm/redis';
import { startRedisServer } from '../support/redis-server.ts';
import type { RedisServer } from '../support/redis-server.ts';

export interface RedisFixture {
  /** The file's shared command client. */
  client(): RedisClient;
  /** Keys under a prefix no other test uses. */
  freshKeys(): RedisKeys;
}

export function useRedis(): RedisFixture {
  let server: RedisServer | undefined;
  let redis: RedisClient | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = createRedisClient(server.url);
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });
  return {
    client() {
      if (redis === undefined) throw new Error('Redis is only available inside tests');
      return redis;
    },
    freshKeys: () => new RedisKeys(`t-${randomUUID()}`),
  };
}
