/**
 * The budget ledger of one root request. Work is reserved before dispatch
 * (estimated tokens and cost) and settled from the provider's reported usage,
 * so concurrent calls cannot jointly overshoot a cap: at most one call's
 * reservation can be in excess, and only when its actual usage exceeds its estimate.
 *
 * The embedded driver uses LocalLedger; the cluster driver implements the same
 * interface with atomic Redis operations.
 */
import type { TokenUsage } from '../jobs/task-schemas.ts';
import type { InterruptReason } from '../stop-reason.ts';

export interface BudgetLimits {
  /** Cap on input + output tokens across the whole tree. */
  readonly maxTokens?: number;
  /** Cap on cost in USD across the whole tree. */
  readonly maxCostUsd?: number;
}

export interface Reservation {
  readonly id: number;
  readonly tokens: number;
  readonly costUsd: number;
}

export type ReserveOutcome =
  | { readonly ok: true; readonly reservation: Reservation }
  | { readonly ok: false; readonly reason: Extract<InterruptReason, 'max_tokens' | 'max_cost'> };

export interface LedgerTotals {
  readonly usage: TokenUsage;
  /** Provider calls made (cache hits excluded). */
  readonly calls: number;
  /** llm_query / rlm_query calls issued by REPL code (cache hits included). */
  readonly subcalls: number;
  /** Sub-calls answered from the result cache or by joining an identical in-flight call. */
  readonly cacheHits: number;
  readonly costUsd: number;
}

export interface Ledger {
  /** Reserves an estimate; refuses (never throws) when it would cross a limit. */
  reserve(tokens: number, costUsd: number): Promise<ReserveOutcome>;
  /** Replaces a reservation by the actual usage and cost. */
  settle(reservation: Reservation, usage: TokenUsage, costUsd: number): Promise<void>;
  /** Drops a reservation whose call never reached the provider. */
  release(reservation: Reservation): Promise<void>;
  recordSubcall(cacheHit: boolean): Promise<void>;
  /** A limit that settled usage has reached, if any. */
  exhausted(): Promise<Extract<InterruptReason, 'max_tokens' | 'max_cost'> | undefined>;
  totals(): Promise<LedgerTotals>;
}

/** Costs are counted in integer micro-dollars so sums are exact (0.1 + 0.2 must not drift past a cap). */
const MICROS_PER_USD = 1_000_000;
const toMicros = (usd: number): number => Math.round(usd * MICROS_PER_USD);

export class LocalLedger implements Ledger {
  private readonly limits: BudgetLimits;
  private nextId = 1;
  private reservedTokens = 0;
  private reservedCostMicros = 0;
  private inputTokens = 0;
  private outputTokens = 0;
  private cachedInputTokens = 0;
  private calls = 0;
  private subcalls = 0;
  private cacheHits = 0;
  private costMicros = 0;

  constructor(limits: BudgetLimits) {
    this.limits = limits;
  }

  private usedTokens(): number {
    return this.inputTokens + this.outputTokens;
  }

  reserve(tokens: number, costUsd: number): Promise<ReserveOutcome> {
    const { maxTokens, maxCostUsd } = this.limits;
    if (maxTokens !== undefined && this.usedTokens() + this.reservedTokens + tokens > maxTokens) {
      return Promise.resolve({ ok: false, reason: 'max_tokens' });
    }
    if (maxCostUsd !== undefined && this.costMicros + this.reservedCostMicros + toMicros(costUsd) > toMicros(maxCostUsd)) {
      return Promise.resolve({ ok: false, reason: 'max_cost' });
    }
    this.reservedTokens += tokens;
    this.reservedCostMicros += toMicros(costUsd);
    const reservation = { id: this.nextId++, tokens, costUsd };
    return Promise.resolve({ ok: true, reservation });
  }

  settle(reservation: Reservation, usage: TokenUsage, costUsd: number): Promise<void> {
    this.dropReservation(reservation);
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    this.cachedInputTokens += usage.cachedInputTokens;
    this.costMicros += toMicros(costUsd);
    this.calls += 1;
    return Promise.resolve();
  }

  release(reservation: Reservation): Promise<void> {
    this.dropReservation(reservation);
    return Promise.resolve();
  }

  private dropReservation(reservation: Reservation): void {
    this.reservedTokens -= reservation.tokens;
    this.reservedCostMicros -= toMicros(reservation.costUsd);
  }

  recordSubcall(cacheHit: boolean): Promise<void> {
    this.subcalls += 1;
    if (cacheHit) this.cacheHits += 1;
    return Promise.resolve();
  }

  exhausted(): Promise<'max_tokens' | 'max_cost' | undefined> {
    const { maxTokens, maxCostUsd } = this.limits;
    if (maxTokens !== undefined && this.usedTokens() >= maxTokens) return Promise.resolve('max_tokens');
    if (maxCostUsd !== undefined && this.costMicros >= toMicros(maxCostUsd)) return Promise.resolve('max_cost');
    return Promise.resolve(undefined);
  }

  totals(): Promise<LedgerTotals> {
    return Promise.resolve({
      usage: {
        inputTokens: this.inputTokens,
        outputTokens: this.outputTokens,
        cachedInputTokens: this.cachedInputTokens,
      },
      calls: this.calls,
      subcalls: this.subcalls,
      cacheHits: this.cacheHits,
      costUsd: this.costMicros / MICROS_PER_USD,
    });
  }
}
