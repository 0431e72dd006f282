/**
 * The cluster-wide cap on concurrent LLM calls of one root request: a sorted
 * set (`limiter(rootId)`) of holder ids scored by lease expiry. A holder that
 * crashes never releases, so its slot frees itself when its lease runs out;
 * the lease must therefore outlast the longest call (the provider timeout).
 *
 * Acquire is one Lua script on Redis' clock (drop expired holders, grant if
 * under capacity). Waiters poll with jittered backoff (5 ms growing to
 * 100 ms). Polling rather than a blocking list or pub/sub: a crashed holder's
 * slot frees silently (no event to wait for), slots are held for LLM calls of
 * seconds so a poll interval of 100 ms costs little, and it needs no extra
 * connection. A release in this process wakes a local waiter at once.
 * Across processes service is not strictly first-come: waiters who poll at
 * the right moment win.
 */
import { randomUUID } from 'node:crypto';
import { RlmError } from '@rlm/shared';
import type { Limiter } from '@rlm/shared';
import { Backoff, cancelled } from './backoff.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';
import type { RedisKeys } from './redis-keys.ts';
import { Sleepers } from './sleepers.ts';

export interface RedisLimiterOptions {
  readonly rootId: string;
  /** Concurrent calls allowed across the cluster. */
  readonly capacity: number;
  /** How long a slot stays held without a release. Default 10 min (the openai client's default timeout). */
  readonly leaseMs?: number;
}

const DEFAULT_LEASE_MS = 10 * 60 * 1000;

/** ARGV: capacity, lease ms, holder id. Returns 1 when granted. */
const ACQUIRE = new LuaScript(
  `
local key = KEYS[1]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
-- The holder already has a slot (a re-run of a call whose process died): it takes it over.
if not redis.call('ZSCORE', key, ARGV[3]) and redis.call('ZCARD', key) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', key, now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', key, ARGV[2])
return 1
`,
  1,
);

export class RedisLimiter implements Limiter {
  private readonly redis: RedisClient;
  private readonly key: string;
  private readonly capacity: number;
  private readonly leaseMs: number;
  private readonly sleepers = new Sleepers();

  constructor(redis: RedisClient, keys: RedisKeys, options: RedisLimiterOptions) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new RlmError(
        'config_invalid',
        `concurrency must be a positive integer, got ${options.capacity}`,
      );
    }
    this.redis = redis;
    this.key = keys.limiter(options.rootId);
    this.capacity = options.capacity;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  async acquire(signal: AbortSignal, holderId?: string): Promise<() => void> {
    if (signal.aborted) throw cancelled();
    const holder = holderId ?? randomUUID();
    const backoff = new Backoff({ initialMs: 5, maxMs: 100 });
    for (;;) {
      const granted =
        (await ACQUIRE.run(this.redis, [this.key], [this.capacity, this.leaseMs, holder])) === 1;
      if (granted) {
        const release = this.releaser(holder);
        // Stopped while the grant was in flight: the call must not start.
        if (signal.aborted) {
          release();
          throw cancelled();
        }
        return release;
      }
      await this.sleepers.sleep(backoff.next(), signal);
    }
  }

  /** Idempotent. A failed ZREM is left to the lease: the slot frees itself later. */
  private releaser(holder: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      void this.redis
        .zrem(this.key, holder)
        .then(() => this.sleepers.wakeOne())
        .catch(() => undefined);
    };
  }
}
