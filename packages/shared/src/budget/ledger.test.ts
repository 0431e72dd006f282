import { describe, expect, it } from 'vitest';
import { LocalLedger } from './ledger.ts';

const usage = (inputTokens: number, outputTokens: number) => ({ inputTokens, outputTokens, cachedInputTokens: 0 });

describe('LocalLedger', () => {
  it('counts reservations against the token cap until they settle', async () => {
    const ledger = new LocalLedger({ maxTokens: 1000 });
    const first = await ledger.reserve(600, 0);
    expect(first.ok).toBe(true);
    expect(await ledger.reserve(500, 0)).toEqual({ ok: false, reason: 'max_tokens' });
    if (!first.ok) throw new Error('unreachable');
    await ledger.settle(first.reservation, usage(200, 50), 0);
    expect((await ledger.reserve(500, 0)).ok).toBe(true);
    expect(await ledger.exhausted()).toBeUndefined();
  });

  it('releases a reservation whose call never happened', async () => {
    const ledger = new LocalLedger({ maxCostUsd: 1 });
    const outcome = await ledger.reserve(0, 0.9);
    if (!outcome.ok) throw new Error('unexpected refusal');
    expect(await ledger.reserve(0, 0.2)).toEqual({ ok: false, reason: 'max_cost' });
    await ledger.release(outcome.reservation);
    expect((await ledger.reserve(0, 0.2)).ok).toBe(true);
    expect((await ledger.totals()).calls).toBe(0);
  });

  it('rolls usage, cost, calls, sub-calls and cache hits into its totals', async () => {
    const ledger = new LocalLedger({ maxTokens: 300 });
    for (const [input, output] of [[100, 20], [150, 40]] as const) {
      const outcome = await ledger.reserve(10, 0);
      if (!outcome.ok) throw new Error('unexpected refusal');
      await ledger.settle(outcome.reservation, { inputTokens: input, outputTokens: output, cachedInputTokens: 30 }, 0.5);
    }
    await ledger.recordSubcall(false);
    await ledger.recordSubcall(true);
    expect(await ledger.totals()).toEqual({
      usage: { inputTokens: 250, outputTokens: 60, cachedInputTokens: 60 },
      calls: 2,
      subcalls: 2,
      cacheHits: 1,
      costUsd: 1,
    });
    expect(await ledger.exhausted()).toBe('max_tokens');
  });
});
