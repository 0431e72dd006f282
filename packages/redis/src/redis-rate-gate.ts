/**
 * Per-model admission under provider rate limits (requests and tokens per
 * minute), shared by every process: a sliding window estimated from two fixed
 * windows (`rate(model, index)` hashes with `requests` and `tokens`), the
 * previous window weighted by how much of it still overlaps the last minute.
 * This smooths the double burst a fixed window allows at its boundary, with
 * two small keys per model instead of a log of every request.
 *
 * One Lua script checks and counts atomically and, on refusal, answers how
 * long until the estimate would admit this request; the caller sleeps that
 * long (plus jitter) and asks again. Refusal means wait, never fail; only the
 * signal ends a wait early.
 *
 * Window indexes come from this process' clock (injectable), so keys can be
 * named up front as Redis Cluster requires; NTP-synchronised hosts differ by
 * milliseconds, negligible against a one-minute window.
 *
 * Tokens are counted from the estimate at admission; actual usage is not
 * reconciled. An estimate above the whole token limit is admitted alone into
 * an otherwise empty window rather than waiting forever.
 */
import type { RateGate, RateLimits } from '@rlm/shared';
import { cancelled } from './backoff.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';
import type { RedisKeys } from './redis-keys.ts';
import { Sleepers } from './sleepers.ts';

export interface RedisRateGateOptions {
  /** Limits by model name; a model without an entry is admitted at once. */
  readonly limits: Readonly<Record<string, RateLimits>>;
  /** Length of the rate window ("minute"). Default 60 000; tests shorten it. */
  readonly windowMs?: number;
  /** Milliseconds since the epoch. Default Date.now. */
  readonly now?: () => number;
}

const DEFAULT_WINDOW_MS = 60_000;
const NO_LIMIT = -1;

/**
 * KEYS: current window, previous window.
 * ARGV: now, window start, window ms, requests limit, tokens limit, tokens.
 * Returns 0 when admitted (and counted), else milliseconds to wait.
 */
const ADMIT = new LuaScript(
  `
local now, start, length = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local weight = 1 - (now - start) / length
local current = redis.call('HMGET', KEYS[1], 'requests', 'tokens')
local previous = redis.call('HMGET', KEYS[2], 'requests', 'tokens')
-- Milliseconds until prev * weight + cur + need <= limit, assuming no other arrivals.
local function wait_for(limit, cur, prev, need)
  if limit < 0 then return 0 end
  if prev * weight + cur + need <= limit then return 0 end
  local room = limit - cur - need
  if room < 0 or prev <= 0 then return start + length - now end
  return math.max(1, math.ceil((1 - room / prev) * length - (now - start)))
end
local tokens_limit = tonumber(ARGV[5])
local tokens = tonumber(ARGV[6])
if tokens_limit >= 0 and tokens > tokens_limit then tokens = tokens_limit end
local wait = math.max(
  wait_for(tonumber(ARGV[4]), tonumber(current[1]) or 0, tonumber(previous[1]) or 0, 1),
  wait_for(tokens_limit, tonumber(current[2]) or 0, tonumber(previous[2]) or 0, tokens))
if wait > 0 then return wait end
redis.call('HINCRBY', KEYS[1], 'requests', 1)
redis.call('HINCRBY', KEYS[1], 'tokens', tokens)
redis.call('PEXPIRE', KEYS[1], 2 * length)
return 0
`,
  2,
);

export class RedisRateGate implements RateGate {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;
  private readonly limits: Readonly<Record<string, RateLimits>>;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly sleepers = new Sleepers();

  constructor(redis: RedisClient, keys: RedisKeys, options: RedisRateGateOptions) {
    this.redis = redis;
    this.keys = keys;
    this.limits = options.limits;
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.now = options.now ?? Date.now;
  }

  async admit(model: string, estimatedTokens: number, signal: AbortSignal): Promise<void> {
    const limits = this.limits[model];
    const requestsLimit = limits?.requestsPerMinute ?? NO_LIMIT;
    const tokensLimit = limits?.tokensPerMinute ?? NO_LIMIT;
    if (signal.aborted) throw cancelled();
    if (requestsLimit === NO_LIMIT && tokensLimit === NO_LIMIT) return;
    for (;;) {
      const now = this.now();
      const window = Math.floor(now / this.windowMs);
      const waitMs = Number(
        await ADMIT.run(
          this.redis,
          [this.keys.rate(model, window), this.keys.rate(model, window - 1)],
          [
            now,
            window * this.windowMs,
            this.windowMs,
            requestsLimit,
            tokensLimit,
            Math.ceil(estimatedTokens),
          ],
        ),
      );
      if (waitMs <= 0) return;
      // Jitter spreads the waiters that the same window reopening would release at once.
      await this.sleepers.sleep(waitMs + Math.random() * Math.min(50, waitMs / 10), signal);
    }
  }
}
