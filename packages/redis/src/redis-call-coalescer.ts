/**
 * Cluster-wide coalescing of identical sub-calls (BullMQ cannot attach one
 * child job to two parents, so sharing happens here, in the cache layer).
 *
 * One key per call, `result(namespace, key)`, holds either the finished
 * completion (JSON, where RedisResultCache reads it) or, while someone
 * computes it, a pending marker `pending:<token>` with a lease. A caller
 * claims with `SET key marker PX lease NX GET`, one command that answers all
 * three cases at once:
 *   - nil: the key was empty and the marker is now ours: compute, then
 *     overwrite the marker with the result (`SET ... EX ttl`);
 *   - a completion: somebody computed it already (`cached`, nothing paid);
 *   - a marker: somebody computes it now: poll with the same claim until the
 *     result is there (`joined`), or the key is empty because the owner
 *     failed, or crashed and its lease ran out (then we own it).
 * Looking and locking in one atomic step is what makes sharing exact (with a
 * separate lookup, another process could store the result and free its lock
 * between our look and our lock, and the call was paid for twice: seen under
 * load in the cluster tests), and it makes the caller's own cache lookup
 * redundant (`readsResults`). Uncontended, a sub-call costs two commands here.
 *
 * If our lease ran out and another caller took the key, our result still
 * overwrites its marker: later callers find the result and nobody else
 * computes. A failed owner deletes the key only if it still holds its own
 * marker (a script), as does renewal.
 *
 * Redis before 7.0 refuses NX together with GET; on that error the claim
 * falls back to a script that does the same (GET, then SET NX), for good.
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
  /** How long a pending marker outlives a silent owner. Renewed every third of it while computing. Default 30 s. */
  readonly leaseMs?: number;
  /** How to claim: `auto` (SET NX GET, a script on Redis < 7); `script` forces the fallback (tests). */
  readonly claim?: 'auto' | 'script';
}

const DEFAULT_LEASE_MS = 30_000;
/** Not JSON, so a reader of the result cache sees a miss, never a completion. */
const PENDING = 'pending:';

/** ARGV: marker. Deletes the key only if it still holds our marker. */
const UNLOCK = new LuaScript(
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
  1,
);

/** ARGV: marker, lease ms. */
const RENEW = new LuaScript(
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`,
  1,
);

/** ARGV: marker, lease ms. SET NX GET for servers without it: the old value, or nil when we set ours. */
const CLAIM_SCRIPT = new LuaScript(
  `
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
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
  private useScript: boolean;

  constructor(redis: RedisClient, keys: RedisKeys, options: RedisCallCoalescerOptions) {
    this.redis = redis;
    this.keys = keys;
    this.namespace = options.namespace;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.ttlSeconds = options.ttlSeconds;
    this.useScript = options.claim === 'script';
  }

  async coalesce(key: string, compute: () => Promise<CompletionResponse>): Promise<Coalesced> {
    const slot = this.keys.result(this.namespace, key);
    const backoff = new Backoff({ initialMs: 5, maxMs: 50 });
    for (let first = true; ; first = false) {
      const marker = `${PENDING}${randomUUID()}`;
      let current: string | null;
      try {
        current = await this.claim(slot, marker);
      } catch {
        return { response: await compute(), joined: false };
      }
      if (current === null) return { response: await this.computeAsOwner(slot, marker, compute), joined: false };
      if (!current.startsWith(PENDING)) {
        const done = parseResponse(current);
        if (done !== undefined) return first ? { response: done, joined: true, cached: true } : { response: done, joined: true };
        // A stored value that is no completion (another version's format): compute and overwrite it.
        return { response: await this.computeAsOwner(slot, marker, compute), joined: false };
      }
      // Someone else computes: wait, then claim again (their result, or the key they left).
      await delay(backoff.next());
    }
  }

  /** The key's value before our claim; null when it was empty and now holds our marker. */
  private async claim(slot: string, marker: string): Promise<string | null> {
    if (!this.useScript) {
      try {
        return await this.redis.set(slot, marker, 'PX', this.leaseMs, 'NX', 'GET');
      } catch (error) {
        // Redis < 7.0: "ERR syntax error" for NX with GET. Anything else is a real failure.
        if (!(error instanceof Error) || !/syntax error/i.test(error.message)) throw error;
        this.useScript = true;
      }
    }
    return (await CLAIM_SCRIPT.run(this.redis, [slot], [marker, this.leaseMs])) as string | null;
  }

  private async computeAsOwner(
    slot: string,
    marker: string,
    compute: () => Promise<CompletionResponse>,
  ): Promise<CompletionResponse> {
    const renewal = setInterval(() => {
      void RENEW.run(this.redis, [slot], [marker, this.leaseMs]).catch(() => undefined);
    }, this.leaseMs / 3);
    renewal.unref();
    let response: CompletionResponse;
    try {
      response = await compute();
    } catch (error) {
      await UNLOCK.run(this.redis, [slot], [marker]).catch(() => undefined);
      throw error;
    } finally {
      clearInterval(renewal);
    }
    // The call succeeded and was paid for: a failure to share it is not the caller's failure.
    await this.redis.set(slot, JSON.stringify(response), 'EX', this.ttlSeconds).catch(() => undefined);
    return response;
  }
}
