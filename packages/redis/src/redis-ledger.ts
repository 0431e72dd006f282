/**
 * The budget ledger of one root request, shared by every process of the
 * cluster: one Redis hash per root (`ledger(rootId)`), every change made by a
 * Lua script so reserve's check-and-add is atomic across processes, exactly as
 * LocalLedger's is within one.
 *
 * Costs are kept as integer micro-dollars so sums stay exact (Lua numbers are
 * doubles, exact for integers below 2^53; float sums would drift); a single
 * call rounds to the nearest micro-dollar.
 *
 * Limits travel with the first script that touches the hash and are stored in
 * it, so every process enforces the limits of whoever created the
 * ledger, whatever it was constructed with.
 *
 * Each reservation is a field of the hash until settled or released, which
 * makes settle and release idempotent: a task retried after a crash (queues
 * deliver at least once) cannot count its usage twice.
 *
 * The hash expires `ttlSeconds` after it was created (by the request's first
 * reservation or sub-call record): one PEXPIRE per request, not per call.
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

/**
 * Each script reads the fields it needs with one HMGET and writes them back
 * with one HSET: a reservation or a settlement costs Redis four commands,
 * not a dozen HINCRBYs (docs/decisions/2026-11-29-sub-call-cost.md).
 */
const LUA_HELPERS = `
local key = KEYS[1]
local function num(value) return tonumber(value) or 0 end
`;

/** ARGV: limit tokens, limit cost, ttl ms, tokens, cost. Returns {1, id} or {0, reason}. */
const RESERVE = new LuaScript(
  `${LUA_HELPERS}
local state = redis.call('HMGET', key, 'limit_tokens', 'limit_cost', 'input_tokens', 'output_tokens',
  'reserved_tokens', 'cost', 'reserved_cost', 'next_id')
-- The first script to touch the ledger stores the limits; later ones enforce those.
local max_tokens = state[1] and tonumber(state[1]) or tonumber(ARGV[1])
local max_cost = state[2] and tonumber(state[2]) or tonumber(ARGV[2])
local tokens, cost = tonumber(ARGV[4]), tonumber(ARGV[5])
local refusal = nil
if max_tokens >= 0 and num(state[3]) + num(state[4]) + num(state[5]) + tokens > max_tokens then
  refusal = 'max_tokens'
elseif max_cost >= 0 and num(state[6]) + num(state[7]) + cost > max_cost then
  refusal = 'max_cost'
end
if refusal then
  if not state[1] then
    redis.call('HSET', key, 'limit_tokens', max_tokens, 'limit_cost', max_cost)
    redis.call('PEXPIRE', key, ARGV[3])
  end
  return {0, refusal}
end
local id = num(state[8]) + 1
redis.call('HSET', key, 'limit_tokens', max_tokens, 'limit_cost', max_cost, 'next_id', id,
  'reserved_tokens', num(state[5]) + tokens, 'reserved_cost', num(state[7]) + cost,
  'reservation:' .. id, ARGV[4] .. ':' .. ARGV[5])
if not state[1] then redis.call('PEXPIRE', key, ARGV[3]) end
return {1, id}
`,
  1,
);

/**
 * ARGV: id, input, output, cached input, cost. Returns {settled 1|0, exhaustion or ''}:
 * the reservation is dropped and the usage added only once (a second settle or release of it is a no-op).
 */
const SETTLE = new LuaScript(
  `${LUA_HELPERS}
local field = 'reservation:' .. ARGV[1]
local s = redis.call('HMGET', key, field, 'reserved_tokens', 'reserved_cost', 'input_tokens', 'output_tokens',
  'cached_input_tokens', 'cost', 'calls', 'limit_tokens', 'limit_cost')
local input, output, cost = num(s[4]), num(s[5]), num(s[7])
local settled = 0
if s[1] then
  local separator = string.find(s[1], ':', 1, true)
  input, output, cost = input + tonumber(ARGV[2]), output + tonumber(ARGV[3]), cost + tonumber(ARGV[5])
  redis.call('HSET', key,
    'reserved_tokens', num(s[2]) - tonumber(string.sub(s[1], 1, separator - 1)),
    'reserved_cost', num(s[3]) - tonumber(string.sub(s[1], separator + 1)),
    'input_tokens', input, 'output_tokens', output, 'cached_input_tokens', num(s[6]) + tonumber(ARGV[4]),
    'cost', cost, 'calls', num(s[8]) + 1)
  redis.call('HDEL', key, field)
  settled = 1
end
local max_tokens, max_cost = s[9] and tonumber(s[9]) or -1, s[10] and tonumber(s[10]) or -1
if max_tokens >= 0 and input + output >= max_tokens then return {settled, 'max_tokens'} end
if max_cost >= 0 and cost >= max_cost then return {settled, 'max_cost'} end
return {settled, ''}
`,
  1,
);

/** ARGV: id. */
const RELEASE = new LuaScript(
  `${LUA_HELPERS}
local field = 'reservation:' .. ARGV[1]
local s = redis.call('HMGET', key, field, 'reserved_tokens', 'reserved_cost')
if not s[1] then return 0 end
local separator = string.find(s[1], ':', 1, true)
redis.call('HSET', key,
  'reserved_tokens', num(s[2]) - tonumber(string.sub(s[1], 1, separator - 1)),
  'reserved_cost', num(s[3]) - tonumber(string.sub(s[1], separator + 1)))
redis.call('HDEL', key, field)
return 1
`,
  1,
);

/** ARGV: ttl ms, sub-calls, cache hits. A request answered from the cache alone creates the hash here. */
const RECORD_SUBCALLS = new LuaScript(
  `${LUA_HELPERS}
redis.call('HINCRBY', key, 'subcalls', ARGV[2])
if ARGV[3] ~= '0' then redis.call('HINCRBY', key, 'cache_hits', ARGV[3]) end
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
  /** What this instance's latest settle saw, until `exhausted` reads it (see there). */
  private settledExhaustion: { readonly reason: Exhaustion | undefined } | undefined;
  /** Sub-calls recorded in this turn of the event loop, written by one script (group commit). */
  private pendingSubcalls = { subcalls: 0, cacheHits: 0 };
  private subcallFlush: Promise<void> | undefined;

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
    const reply = (await SETTLE.run(
      this.redis,
      [this.key],
      [
        reservation.id,
        usage.inputTokens,
        usage.outputTokens,
        usage.cachedInputTokens,
        toMicros(costUsd),
      ],
    )) as [number, string];
    this.settledExhaustion = { reason: reply[1] === '' ? undefined : (reply[1] as Exhaustion) };
  }

  async release(reservation: Reservation): Promise<void> {
    await RELEASE.run(this.redis, [this.key], [reservation.id]);
  }

  /**
   * Sub-calls finishing in the same turn of the event loop (a fan-out's replies arrive in
   * bursts) are counted by one script; each caller's promise settles when that script has run.
   */
  recordSubcall(cacheHit: boolean): Promise<void> {
    this.pendingSubcalls.subcalls += 1;
    if (cacheHit) this.pendingSubcalls.cacheHits += 1;
    this.subcallFlush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const batch = this.pendingSubcalls;
      this.pendingSubcalls = { subcalls: 0, cacheHits: 0 };
      this.subcallFlush = undefined;
      await RECORD_SUBCALLS.run(this.redis, [this.key], [this.ttlMs, batch.subcalls, batch.cacheHits]);
    });
    return this.subcallFlush;
  }

  /**
   * Right after this instance's own settle, answers from that script's reply
   * instead of reading the hash again: totals only grow, and whichever settle
   * crosses a cap sees it in its own reply, so its caller stops the request.
   */
  async exhausted(): Promise<Exhaustion | undefined> {
    const settled = this.settledExhaustion;
    if (settled !== undefined) {
      this.settledExhaustion = undefined;
      return settled.reason;
    }
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
