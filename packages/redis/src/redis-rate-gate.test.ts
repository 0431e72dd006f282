import { describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/support/redis-fixture.ts';
import { RedisRateGate } from './redis-rate-gate.ts';

const fixture = useRedis();

/** A short "minute" keeps the waits of these tests small. */
const WINDOW_MS = 200;

function gate(
  limits: ConstructorParameters<typeof RedisRateGate>[2]['limits'],
  keys = fixture.freshKeys(),
) {
  return new RedisRateGate(fixture.client(), keys, { limits, windowMs: WINDOW_MS });
}

describe('RedisRateGate', () => {
  it('makes the second request of a window wait when rpm is 1', async () => {
    const rates = gate({ m: { requestsPerMinute: 1 } });
    const signal = new AbortController().signal;
    // Timed from before the first admit: the window runs from the first request's own clock
    // reading, which a loaded machine may take milliseconds to return from.
    const started = performance.now();
    await rates.admit('m', 10, signal);
    await rates.admit('m', 10, signal);
    // Sliding window: the first request counts until a full window has passed since it
    // (2 ms for the two clocks' rounding).
    expect(performance.now() - started).toBeGreaterThanOrEqual(WINDOW_MS - 2);
  });

  it('shares the window across gates (processes) on the same keys', async () => {
    const keys = fixture.freshKeys();
    const signal = new AbortController().signal;
    await gate({ m: { requestsPerMinute: 1 } }, keys).admit('m', 1, signal);
    let second = false;
    const pending = gate({ m: { requestsPerMinute: 1 } }, keys)
      .admit('m', 1, signal)
      .then(() => (second = true));
    // Another model of the same gate is not held up by m.
    await gate({ m: { requestsPerMinute: 1 } }, keys).admit('other', 1, signal);
    expect(second).toBe(false);
    await pending;
  });

  it('counts estimated tokens against tokens per minute', async () => {
    const rates = gate({ m: { tokensPerMinute: 1_000 } });
    const signal = new AbortController().signal;
    const started = performance.now();
    await rates.admit('m', 600, signal);
    await rates.admit('m', 600, signal);
    expect(performance.now() - started).toBeGreaterThanOrEqual(WINDOW_MS / 10);
  });

  it('admits an estimate above the whole token limit rather than waiting forever', async () => {
    const rates = gate({ m: { tokensPerMinute: 100 } });
    await expect(rates.admit('m', 5_000, new AbortController().signal)).resolves.toBeUndefined();
  });

  it('admits a model without limits at once', async () => {
    const rates = gate({});
    const signal = new AbortController().signal;
    await Promise.all(Array.from({ length: 20 }, () => rates.admit('m', 1_000_000, signal)));
  });

  it('rejects a waiting admit with cancelled when its signal aborts', async () => {
    const rates = new RedisRateGate(fixture.client(), fixture.freshKeys(), {
      limits: { m: { requestsPerMinute: 1 } },
      windowMs: 60_000,
    });
    const controller = new AbortController();
    await rates.admit('m', 1, controller.signal);
    const waiting = rates.admit('m', 1, controller.signal);
    controller.abort('cancelled');
    await expect(waiting).rejects.toMatchObject({ code: 'cancelled' });
    await expect(rates.admit('m', 1, controller.signal)).rejects.toMatchObject({
      code: 'cancelled',
    });
  });
});
