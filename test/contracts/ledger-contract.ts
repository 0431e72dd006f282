/** The assertions every Ledger driver must pass (LocalLedger in memory, RedisLedger across processes). */
import { describe, expect, it } from 'vitest';
import type { BudgetLimits, Ledger, Reservation, ReserveOutcome, TokenUsage } from '@rlm/shared';

const usage = (inputTokens: number, outputTokens: number, cachedInputTokens = 0): TokenUsage => ({
  inputTokens,
  outputTokens,
  cachedInputTokens,
});

function reserved(outcome: ReserveOutcome): Reservation {
  if (!outcome.ok) throw new Error(`unexpected refusal: ${outcome.reason}`);
  return outcome.reservation;
}

export function describeLedgerContract(
  name: string,
  create: (limits: BudgetLimits) => Ledger,
): void {
  describe(`${name} (Ledger contract)`, () => {
    it('starts empty', async () => {
      const ledger = create({ maxTokens: 10 });
      expect(await ledger.totals()).toEqual({
        usage: usage(0, 0),
        calls: 0,
        subcalls: 0,
        cacheHits: 0,
        costUsd: 0,
      });
      expect(await ledger.exhausted()).toBeUndefined();
    });

    it('counts reservations against the token cap until they settle', async () => {
      const ledger = create({ maxTokens: 1000 });
      const first = reserved(await ledger.reserve(600, 0));
      expect(await ledger.reserve(500, 0)).toEqual({ ok: false, reason: 'max_tokens' });
      await ledger.settle(first, usage(200, 50), 0);
      expect((await ledger.reserve(500, 0)).ok).toBe(true);
      expect(await ledger.exhausted()).toBeUndefined();
    });

    it('accepts a reservation that lands exactly on the cap', async () => {
      const ledger = create({ maxTokens: 100, maxCostUsd: 1 });
      reserved(await ledger.reserve(100, 1));
      expect(await ledger.reserve(1, 0)).toEqual({ ok: false, reason: 'max_tokens' });
      expect(await ledger.reserve(0, 0.01)).toEqual({ ok: false, reason: 'max_cost' });
    });

    it('releases a reservation whose call never happened', async () => {
      const ledger = create({ maxCostUsd: 1 });
      const reservation = reserved(await ledger.reserve(0, 0.9));
      expect(await ledger.reserve(0, 0.2)).toEqual({ ok: false, reason: 'max_cost' });
      await ledger.release(reservation);
      expect((await ledger.reserve(0, 0.2)).ok).toBe(true);
      expect((await ledger.totals()).calls).toBe(0);
    });

    it('gives every reservation its own id', async () => {
      const ledger = create({});
      const ids = new Set<number>();
      for (let index = 0; index < 5; index += 1) ids.add(reserved(await ledger.reserve(1, 0)).id);
      expect(ids.size).toBe(5);
    });

    it('never refuses without limits', async () => {
      const ledger = create({});
      const reservation = reserved(await ledger.reserve(10_000_000, 1_000));
      await ledger.settle(reservation, usage(10_000_000, 0), 1_000);
      expect(await ledger.exhausted()).toBeUndefined();
    });

    it('rolls usage, cost, calls, sub-calls and cache hits into its totals', async () => {
      const ledger = create({ maxTokens: 300 });
      for (const [input, output] of [
        [100, 20],
        [150, 40],
      ] as const) {
        const reservation = reserved(await ledger.reserve(10, 0));
        await ledger.settle(reservation, usage(input, output, 30), 0.5);
      }
      await ledger.recordSubcall(false);
      await ledger.recordSubcall(true);
      expect(await ledger.totals()).toEqual({
        usage: usage(250, 60, 60),
        calls: 2,
        subcalls: 2,
        cacheHits: 1,
        costUsd: 1,
      });
      expect(await ledger.exhausted()).toBe('max_tokens');
    });

    it('reports max_cost once settled cost reaches the cap', async () => {
      const ledger = create({ maxCostUsd: 0.05 });
      const reservation = reserved(await ledger.reserve(100, 0.01));
      await ledger.settle(reservation, usage(100, 10), 0.05);
      expect(await ledger.exhausted()).toBe('max_cost');
      expect(await ledger.reserve(0, 0.001)).toEqual({ ok: false, reason: 'max_cost' });
    });

    it('never lets 50 concurrent reservations exceed the token cap', async () => {
      const ledger = create({ maxTokens: 1_000 });
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => ledger.reserve(30, 0)));
      const granted = outcomes.filter((outcome) => outcome.ok);
      expect(granted).toHaveLength(33); // 33 * 30 = 990 <= 1000 < 34 * 30
      expect(outcomes.filter((outcome) => !outcome.ok)).toHaveLength(17);
      expect(outcomes.every((outcome) => outcome.ok || outcome.reason === 'max_tokens')).toBe(true);
    });

    it('never lets 50 concurrent reservations exceed the cost cap', async () => {
      // Binary fractions: LocalLedger sums floats, and 25 * 0.01 drifts past 0.25.
      const ledger = create({ maxCostUsd: 0.25 });
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, () => ledger.reserve(1, 1 / 64)),
      );
      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(16);
    });
  });
}
