import { describe, expect, it } from 'vitest';
import type { Reservation, ReserveOutcome } from '@rlm/shared';
import { useRedis } from '../../../test/support/redis-fixture.ts';
import { createRedisClient } from './redis-client.ts';
import { RedisLedger } from './redis-ledger.ts';

const fixture = useRedis();

function reserved(outcome: ReserveOutcome): Reservation {
  if (!outcome.ok) throw new Error(`unexpected refusal: ${outcome.reason}`);
  return outcome.reservation;
}

const usage = { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0 };

describe('RedisLedger (cluster behaviour beyond the Ledger contract)', () => {
  it('enforces the limits of whoever touched the ledger first, in every process', async () => {
    const keys = fixture.freshKeys();
    const first = new RedisLedger(fixture.client(), keys, {
      rootId: 'r',
      limits: { maxTokens: 100 },
    });
    const second = new RedisLedger(fixture.client(), keys, {
      rootId: 'r',
      limits: { maxTokens: 1_000_000 },
    });
    reserved(await first.reserve(60, 0));
    expect(await second.reserve(60, 0)).toEqual({ ok: false, reason: 'max_tokens' });
  });

  it('counts a reservation its process never settled (a killed worker) as a call at its estimate', async () => {
    const keys = fixture.freshKeys();
    const ledger = new RedisLedger(fixture.client(), keys, { rootId: 'r', limits: {} });
    await ledger.settle(reserved(await ledger.reserve(20, 0.001)), usage, 0.001);
    // The worker that took this reservation died after sending the call: no settle, no release.
    reserved(await ledger.reserve(300, 0.002));
    const released = reserved(await ledger.reserve(999, 0.5));
    await ledger.release(released);
    expect((await ledger.totals()).calls).toBe(1);
    expect(await ledger.finalTotals()).toMatchObject({
      calls: 2,
      usage: { inputTokens: 10 + 300, outputTokens: 5 },
      costUsd: 0.003,
    });
  });

  it('shares usage between instances on different connections', async () => {
    const keys = fixture.freshKeys();
    const otherClient = createRedisClient(fixture.url());
    try {
      const here = new RedisLedger(fixture.client(), keys, { rootId: 'r', limits: {} });
      const there = new RedisLedger(otherClient, keys, { rootId: 'r', limits: {} });
      await here.settle(reserved(await here.reserve(20, 0.001)), usage, 0.001);
      await there.recordSubcall(true);
      expect(await there.totals()).toMatchObject({
        calls: 1,
        subcalls: 1,
        cacheHits: 1,
        costUsd: 0.001,
      });
    } finally {
      await otherClient.quit();
    }
  });

  it('settles and releases a reservation at most once (a retried task cannot double count)', async () => {
    const keys = fixture.freshKeys();
    const ledger = new RedisLedger(fixture.client(), keys, {
      rootId: 'r',
      limits: { maxTokens: 100 },
    });
    const reservation = reserved(await ledger.reserve(50, 0));
    await ledger.settle(reservation, usage, 0.5);
    await ledger.settle(reservation, usage, 0.5);
    await ledger.release(reservation);
    expect(await ledger.totals()).toMatchObject({ calls: 1, usage, costUsd: 0.5 });
    // The reservation was dropped once: 100 - 15 used leaves room for 85.
    reserved(await ledger.reserve(85, 0));
  });

  it('keeps costs exact by counting integer micro-dollars', async () => {
    const ledger = new RedisLedger(fixture.client(), fixture.freshKeys(), {
      rootId: 'r',
      limits: { maxCostUsd: 1 },
    });
    for (let call = 0; call < 10; call += 1) {
      await ledger.settle(reserved(await ledger.reserve(1, 0.1)), usage, 0.1);
    }
    expect((await ledger.totals()).costUsd).toBe(1);
    expect(await ledger.exhausted()).toBe('max_cost');
  });

  it('expires the ledger hash after its TTL', async () => {
    const keys = fixture.freshKeys();
    const ledger = new RedisLedger(fixture.client(), keys, {
      rootId: 'r',
      limits: {},
      ttlSeconds: 120,
    });
    await ledger.recordSubcall(false);
    const ttl = await fixture.client().pttl(keys.ledger('r'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });
});
