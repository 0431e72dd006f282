/**
 * Cluster-wide coalescing of identical sub-calls (BullMQ cannot attach one
 * child job to two parents, so sharing happens here, in the cache layer).
 *
 * The first caller of a key takes `resultLock(namespace, key)` (SET NX with a
 * lease, renewed while it computes), computes, writes the result where
 * RedisResultCache reads it, then deletes its lock. Other callers poll: result
 * there -> return it (`joined: true`); lock gone without a result (the owner
 * failed, or crashed and its lease ran out) -> take the lock and compute.
 *
 * Polling (5 ms growing to 50 ms, jittered) rather than pub/sub: a crashed
 * owner publishes nothing, so waiters need a timed check anyway; identical
 * concurrent sub-calls are rare and take seconds, so a 50 ms poll is cheap;
 * and it needs no subscriber connection per process.
 *
 * Coalescing is an optimisation: if Redis fails, the caller computes alone.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { CallCoalescer, CompletionResponse } from '@rlm/shared';
import { Backoff } from './backoff.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';
import type { RedisKeys } from './redis-keys.ts';
import { RedisResultCache } from './redis-result-cache.ts';
import type { RedisResultCacheOptions } from './redis-result-cache.ts';

export interface RedisCallCoalescerOptions extends RedisResultCacheOptions {
  /** How long a lock outlives a silent owner. Renewed every third of it while computing. Default 30 s. */
  readonly leaseMs?: number;
}

const DEFAULT_LEASE_MS = 30_000;

/** ARGV: token. Deletes the lock only if we still own it (our lease may have run out and been taken). */
const UNLOCK = new LuaScript(
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
  1,
);

/** ARGV: token, lease ms. */
const RENEW = new LuaScript(
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`,
  1,
);

type Coalesced = { readonly response: CompletionResponse; readonly joined: boolean };

export class RedisCallCoalescer implements CallCoalescer {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;
  private readonly namespace: string;
  private readonly leaseMs: number;
  private readonly results: RedisResultCache;

  constructor(redis: RedisClient, keys: RedisKeys, options: RedisCallCoalescerOptions) {
    this.redis = redis;
    this.keys = keys;
    this.namespace = options.namespace;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.results = new RedisResultCache(redis, keys, options);
  }

  async coalesce(key: string, compute: () => Promise<CompletionResponse>): Promise<Coalesced> {
    const lock = this.keys.resultLock(this.namespace, key);
    const backoff = new Backoff({ initialMs: 5, maxMs: 50 });
    for (;;) {
      const done = await this.results.get(key);
      if (done !== undefined) return { response: done, joined: true };
      const token = randomUUID();
      let locked: boolean;
      try {
        locked = (await this.redis.set(lock, token, 'PX', this.leaseMs, 'NX')) === 'OK';
      } catch {
        return { response: await compute(), joined: false };
      }
      if (locked) return await this.computeAsOwner(key, lock, token, compute);
      await delay(backoff.next());
    }
  }

  private async computeAsOwner(
    key: string,
    lock: string,
    token: string,
    compute: () => Promise<CompletionResponse>,
  ): Promise<Coalesced> {
    const renewal = setInterval(() => {
      void RENEW.run(this.redis, [lock], [token, this.leaseMs]).catch(() => undefined);
    }, this.leaseMs / 3);
    renewal.unref();
    try {
      // The previous owner may have finished between our read and our lock.
      const done = await this.results.get(key);
      if (done !== undefined) return { response: done, joined: true };
      const response = await compute();
      // Result first, lock second: a waiter never sees neither and recomputes needlessly.
      await this.results.set(key, response);
      return { response, joined: false };
    } finally {
      clearInterval(renewal);
      await UNLOCK.run(this.redis, [lock], [token]).catch(() => undefined);
    }
  }
}
