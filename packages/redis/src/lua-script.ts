/**
 * A Lua script run by its SHA1 (EVALSHA), loaded on demand: a server that has
 * not seen the script yet (fresh start, failover, another cluster node)
 * answers NOSCRIPT and we send the source once with EVAL, which also caches it.
 * This is what ioredis' defineCommand does, without its untyped dynamic methods.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client.ts';

export type LuaArgument = string | number;

export class LuaScript {
  private readonly source: string;
  private readonly sha1: string;
  private readonly keyCount: number;

  constructor(source: string, keyCount: number) {
    this.source = source;
    this.keyCount = keyCount;
    this.sha1 = createHash('sha1').update(source, 'utf8').digest('hex');
  }

  async run(
    redis: RedisClient,
    keys: readonly string[],
    args: readonly LuaArgument[],
  ): Promise<unknown> {
    if (keys.length !== this.keyCount) {
      throw new Error(`script expects ${this.keyCount} keys, got ${keys.length}`);
    }
    try {
      return await redis.evalsha(this.sha1, this.keyCount, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await redis.eval(this.source, this.keyCount, ...keys, ...args);
    }
  }
}
