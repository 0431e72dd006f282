/** JSON values with a TTL: the storage both session checkpoints and step records use. */
import type { RedisClient } from '../redis-client.ts';

export async function readJson<T>(redis: RedisClient, key: string): Promise<T | undefined> {
  const text = await redis.get(key);
  return text === null ? undefined : (JSON.parse(text) as T);
}

export async function writeJson(redis: RedisClient, key: string, value: unknown, ttlSeconds: number): Promise<void> {
  await redis.set(key, JSON.stringify(value), 'EX', ttlSeconds);
}
