/**
 * Cluster-wide coalescing of identical sub-calls (BullMQ cannot attach one
 * child job to two parents, so sharing happens here, in the cache layer).
 *
 * The first caller of a key takes `resultLock(namespace, key)` (SET NX with a
 * lease, renewed while it computes), computes, then writes the result where
 * RedisResultCache reads it and deletes its lock in one pipeline. Other
 * callers poll: result there -> return it (`joined: true`); lock gone without
 * a result (the owner failed, or crashed and its lease ran out) -> take the
 * lock and compute.
 *
 * Cost: the uncontended path is one script call (look for the result, else
 * SET NX the lock) and one pipelined SET + DEL. Looking and locking in one
 * script is what makes sharing exact: with a separate lookup, another process
 * could store the result and free the lock between our look and our lock, and
 * we would pay for the call again (seen under load in the cluster tests). It
 * also makes the caller's own cache lookup redundant (`readsResults`), so a
 * sub-call costs one command less. The success path deletes the lock without
 * checking its token: if our lease ran out and another caller took the lock,
 * our result is already written when we delete it, so later callers find the
 * result and nobody computes again. A failed owner deletes the lock only if it
 * is still its own (a script).
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
import { parseResponse } from './redis-result-cache.ts';
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

/**
 * KEYS: lock, result. ARGV: token, lease ms. Returns the result's JSON when it
 * is there, 'OK' when the lock was free and is now ours, nil while another
 * caller holds it. One script, so a result written between a waiter's look and
 * its lock attempt is never missed.
 */
const CLAIM = new LuaScript(
  `
local done = redis.call('GET', KEYS[2])
if done then return done end
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 'OK' end
return false
`,
  2,
);

/** ARGV: token, lease ms. */
const RENEW = new LuaScript(
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`,
  1,
);

type Coalesced = { readonly response: CompletionResponse; readonly joined: boolean; readonly cached?: boolean };

export class RedisCallCoalescer implements CallCoalescer {
  readonly storesResults = true;
  readonly readsResults = true;
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;
  private readonly namespace: string;
  private readonly leaseMs: number;
  private readonly ttlSeconds: number;

  constructor(redis: RedisClient, keys: RedisKeys, options: RedisCallCoalescerOptions) {
    this.redis = redis;
    this.keys = keys;
    this.namespace = options.namespace;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.ttlSeconds = options.ttlSeconds;
  }

  async coalesce(key: string, compute: () => Promise<CompletionResponse>): Promise<Coalesced> {
    const lock = this.keys.resultLock(this.namespace, key);
    const result = this.keys.result(this.namespace, key);
    const backoff = new Backoff({ initialMs: 5, maxMs: 50 });
    let token = randomUUID();
    let claim: string | null;
    try {
      claim = (await CLAIM.run(this.redis, [lock, result], [token, this.leaseMs])) as string | null;
    } catch {
      return { response: await compute(), joined: false };
    }
    if (claim !== null && claim !== 'OK') {
      const done = parseResponse(claim);
      if (done !== undefined) return { response: done, joined: true, cached: true };
      // A stored value that is no completion (another version's format): compute and overwrite it.
      return { response: await this.computeAsOwner(key, lock, token, compute), joined: false };
    }
    // Someone else computes: wait, then (atomically) take their result or the lock they left.
    while (claim !== 'OK') {
      await delay(backoff.next());
      token = randomUUID();
      try {
        claim = (await CLAIM.run(this.redis, [lock, result], [token, this.leaseMs])) as string | null;
      } catch {
        return { response: await compute(), joined: false };
      }
      if (claim === null || claim === 'OK') continue;
      const done = parseResponse(claim);
      // A stored value that is no completion (another version's format) is a miss nobody will fix.
      return done === undefined ? { response: await compute(), joined: false } : { response: done, joined: true };
    }
    return { response: await this.computeAsOwner(key, lock, token, compute), joined: false };
  }

  private async computeAsOwner(
    key: string,
    lock: string,
    token: string,
    compute: () => Promise<CompletionResponse>,
  ): Promise<CompletionResponse> {
    const renewal = setInterval(() => {
      void RENEW.run(this.redis, [lock], [token, this.leaseMs]).catch(() => undefined);
    }, this.leaseMs / 3);
    renewal.unref();
    let response: CompletionResponse;
    try {
      response = await compute();
    } catch (error) {
      await UNLOCK.run(this.redis, [lock], [token]).catch(() => undefined);
      throw error;
    } finally {
      clearInterval(renewal);
    }
    // The call succeeded and was paid for: a failure to share it is not the caller's failure.
    await this.redis
      .pipeline()
      .set(this.keys.result(this.namespace, key), JSON.stringify(response), 'EX', this.ttlSeconds)
      .del(lock)
      .exec()
      .catch(() => undefined);
    return response;
  }
}
