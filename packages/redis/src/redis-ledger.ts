/**
 * The budget ledger of one root request, shared by every process of the
 * cluster: one Redis hash per root (`ledger(rootId)`), every change made by a
 * Lua script so reserve's check-and-add is atomic across processes, exactly as
 * LocalLedger's is within one.
 *
 * Costs are kept as integer micro-dollars so HINCRBY stays exact (floats would
 * drift and HINCRBYFLOAT rounds differently on every platform); a single call
 * rounds to the nearest micro-dollar.
 *
 * Limits travel with the first script that touches the hash and are stored in
 * it (HSETNX), so every process enforces the limits of whoever created the
 * ledger, whatever it was constructed with.
 *
 * Each reservation is a field of the hash until settled or released, which
 * makes settle and release idempotent: a task retried after a crash (queues
 * deliver at least once) cannot count its usage twice.
 *
 * The hash expires `ttlSeconds` after its last change.
 */
import type {
  BudgetLimits,
  Ledger,
  LedgerTotals,
  Reservation,
  ReserveOutcome,
  TokenUsage,
} from '@rlm/shared';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';
import type { RedisKeys } from './redis-keys.ts';

export interface RedisLedgerOptions {
  readonly rootId: string;
  readonly limits: BudgetLimits;
  /** Expire the ledger this long after its last change. Default 24 h. */
  readonly ttlSeconds?: number;
}

const DEFAULT_TTL_SECONDS = 24 * 60 * 60;
const MICROS_PER_USD = 1_000_000;
/** Stored in place of an absent limit. */
const NO_LIMIT = -1;

type Exhaustion = 'max_tokens' | 'max_cost';

const LUA_HELPERS = `
local key = KEYS[1]
local function num(value) return tonumber(value) or 0 end
local function init_limits(max_tokens, max_cost)
  redis.call('HSETNX', key, 'limit_tokens', max_tokens)
  redis.call('HSETNX', key, 'limit_cost', max_cost)
end
-- Removes a reservation; returns false when it was already settled or released.
local function drop_reservation(id)
  local field = 'reservation:' .. id
  local held = redis.call('HGET', key, field)
  if not held then return false end
  local separator = string.find(held, ':', 1, true)
  redis.call('HINCRBY', key, 'reserved_tokens', 0 - tonumber(string.sub(held, 1, separator - 1)))
  redis.call('HINCRBY', key, 'reserved_cost', 0 - tonumber(string.sub(held, separator + 1)))
  redis.call('HDEL', key, field)
  return true
end
`;

/** ARGV: limit tokens, limit cost, ttl ms, tokens, cost. Returns {1, id} or {0, reason}. */
const RESERVE = new LuaScript(
  `${LUA_HELPERS}
init_limits(ARGV[1], ARGV[2])
local state = redis.call('HMGET', key, 'limit_tokens', 'limit_cost', 'input_tokens', 'output_tokens',
  'reserved_tokens', 'cost', 'reserved_cost')
local max_tokens, max_cost = num(state[1]), num(state[2])
local tokens, cost = tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('PEXPIRE', key, ARGV[3])
if max_tokens >= 0 and num(state[3]) + num(state[4]) + num(state[5]) + tokens > max_tokens then
  return {0, 'max_tokens'}
end
if max_cost >= 0 and num(state[6]) + num(state[7]) + cost > max_cost then
  return {0, 'max_cost'}
end
local id = redis.call('HINCRBY', key, 'next_id', 1)
redis.call('HINCRBY', key, 'reserved_tokens', tokens)
redis.call('HINCRBY', key, 'reserved_cost', cost)
redis.call('HSET', key, 'reservation:' .. id, ARGV[4] .. ':' .. ARGV[5])
return {1, id}
`,
  1,
);

/** ARGV: ttl ms, id, input, output, cached input, cost. */
const SETTLE = new LuaScript(
  `${LUA_HELPERS}
if not drop_reservation(ARGV[2]) then return 0 end
redis.call('HINCRBY', key, 'input_tokens', ARGV[3])
redis.call('HINCRBY', key, 'output_tokens', ARGV[4])
redis.call('HINCRBY', key, 'cached_input_tokens', ARGV[5])
redis.call('HINCRBY', key, 'cost', ARGV[6])
redis.call('HINCRBY', key, 'calls', 1)
redis.call('PEXPIRE', key, ARGV[1])
return 1
`,
  1,
);

/** ARGV: ttl ms, id. */
const RELEASE = new LuaScript(
  `${LUA_HELPERS}
if not drop_reservation(ARGV[2]) then return 0 end
redis.call('PEXPIRE', key, ARGV[1])
return 1
`,
  1,
);

/** ARGV: ttl ms, cache hit (1 or 0). */
const RECORD_SUBCALL = new LuaScript(
  `${LUA_HELPERS}
redis.call('HINCRBY', key, 'subcalls', 1)
if ARGV[2] == '1' then redis.call('HINCRBY', key, 'cache_hits', 1) end
redis.call('PEXPIRE', key, ARGV[1])
return 1
`,
  1,
);

export class RedisLedger implements Ledger {
  private readonly redis: RedisClient;
  private readonly key: string;
  private readonly limits: BudgetLimits;
  private readonly ttlMs: number;

  constructor(redis: RedisClient, keys: RedisKeys, options: RedisLedgerOptions) {
    this.redis = redis;
    this.key = keys.ledger(options.rootId);
    this.limits = options.limits;
    this.ttlMs = (options.ttlSeconds ?? DEFAULT_TTL_SECONDS) * 1000;
  }

  async reserve(tokens: number, costUsd: number): Promise<ReserveOutcome> {
    const reply = (await RESERVE.run(
      this.redis,
      [this.key],
      [
        this.limits.maxTokens ?? NO_LIMIT,
        this.limits.maxCostUsd === undefined ? NO_LIMIT : toMicros(this.limits.maxCostUsd),
        this.ttlMs,
        Math.round(tokens),
        toMicros(costUsd),
      ],
    )) as [number, number | string];
    if (reply[0] === 1) return { ok: true, reservation: { id: Number(reply[1]), tokens, costUsd } };
    return { ok: false, reason: reply[1] === 'max_cost' ? 'max_cost' : 'max_tokens' };
  }

  async settle(reservation: Reservation, usage: TokenUsage, costUsd: number): Promise<void> {
    await SETTLE.run(
      this.redis,
      [this.key],
      [
        this.ttlMs,
        reservation.id,
        usage.inputTokens,
        usage.outputTokens,
        usage.cachedInputTokens,
        toMicros(costUsd),
      ],
    );
  }

  async release(reservation: Reservation): Promise<void> {
    await RELEASE.run(this.redis, [this.key], [this.ttlMs, reservation.id]);
  }

  async recordSubcall(cacheHit: boolean): Promise<void> {
    await RECORD_SUBCALL.run(this.redis, [this.key], [this.ttlMs, cacheHit ? 1 : 0]);
  }

  async exhausted(): Promise<Exhaustion | undefined> {
    const [maxTokens, maxCost, input, output, cost] = await this.redis.hmget(
      this.key,
      'limit_tokens',
      'limit_cost',
      'input_tokens',
      'output_tokens',
      'cost',
    );
    // Before the first reservation nothing is stored yet: our own limits are the ledger's.
    const tokenLimit = maxTokens == null ? (this.limits.maxTokens ?? NO_LIMIT) : Number(maxTokens);
    const costLimit =
      maxCost == null
        ? this.limits.maxCostUsd === undefined
          ? NO_LIMIT
          : toMicros(this.limits.maxCostUsd)
        : Number(maxCost);
    if (tokenLimit >= 0 && count(input) + count(output) >= tokenLimit) return 'max_tokens';
    if (costLimit >= 0 && count(cost) >= costLimit) return 'max_cost';
    return undefined;
  }

  async totals(): Promise<LedgerTotals> {
    const [input, output, cached, calls, subcalls, cacheHits, cost] = await this.redis.hmget(
      this.key,
      'input_tokens',
      'output_tokens',
      'cached_input_tokens',
      'calls',
      'subcalls',
      'cache_hits',
      'cost',
    );
    return {
      usage: {
        inputTokens: count(input),
        outputTokens: count(output),
        cachedInputTokens: count(cached),
      },
      calls: count(calls),
      subcalls: count(subcalls),
      cacheHits: count(cacheHits),
      costUsd: count(cost) / MICROS_PER_USD,
    };
  }

  /**
   * The request's final totals: settled usage, plus every reservation still open, each counted as a call charged at its
   * estimate: a process that died between sending a call and settling it (a killed worker) left
   * the provider's work unreported, and the estimate (prompt + output cap) is its upper bound. At
   * the end of a request only such orphans are still open, so usage and cost cover every call the
   * provider received, re-runs included. (`totals()` counts settled calls only, as every Ledger.)
   */
  async finalTotals(): Promise<LedgerTotals> {
    // Settled reservations are deleted, so the hash holds counters plus the open ones only.
    const fields = await this.redis.hgetall(this.key);
    let orphanCalls = 0;
    let orphanTokens = 0;
    let orphanCost = 0;
    for (const [field, value] of Object.entries(fields)) {
      if (!field.startsWith('reservation:')) continue;
      const [tokens, cost] = value.split(':');
      orphanCalls += 1;
      orphanTokens += count(tokens);
      orphanCost += count(cost);
    }
    return {
      usage: {
        // Unknown split: an orphan's estimate is counted as input (its prompt is most of it).
        inputTokens: count(fields['input_tokens']) + orphanTokens,
        outputTokens: count(fields['output_tokens']),
        cachedInputTokens: count(fields['cached_input_tokens']),
      },
      calls: count(fields['calls']) + orphanCalls,
      subcalls: count(fields['subcalls']),
      cacheHits: count(fields['cache_hits']),
      costUsd: (count(fields['cost']) + orphanCost) / MICROS_PER_USD,
    };
  }
}

function toMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD);
}

function count(value: string | null | undefined): number {
  return value == null ? 0 : Number(value);
}
