/** The assertions every Limiter driver must pass (LocalLimiter in memory, RedisLimiter across processes). */
import { describe, expect, it } from 'vitest';
import type { Limiter } from '@rlm/shared';

export function describeLimiterContract(name: string, create: (capacity: number) => Limiter): void {
  describe(`${name} (Limiter contract)`, () => {
    it('grants up to its capacity at once and the next slot on release', async () => {
      const limiter = create(2);
      const signal = new AbortController().signal;
      const first = await limiter.acquire(signal);
      await limiter.acquire(signal);
      let thirdGranted = false;
      const third = limiter.acquire(signal).then((release) => {
        thirdGranted = true;
        return release;
      });
      expect(thirdGranted).toBe(false);
      first();
      (await third)();
      expect(thirdGranted).toBe(true);
    });

    it('never has more holders than its capacity under 30 parallel acquirers', async () => {
      const capacity = 3;
      const limiter = create(capacity);
      const signal = new AbortController().signal;
      let holding = 0;
      let peak = 0;
      await Promise.all(
        Array.from({ length: 30 }, async (_, index) => {
          const release = await limiter.acquire(signal);
          holding += 1;
          peak = Math.max(peak, holding);
          // Hold the slot across a few turns of the event loop, as a real call would.
          for (let turn = 0; turn < 1 + (index % 3); turn += 1) await new Promise(setImmediate);
          holding -= 1;
          release();
          release(); // idempotent: a second release must not free a second slot
        }),
      );
      expect(peak).toBe(capacity);
    });

    it('rejects a waiter with cancelled when its signal aborts, without taking a slot', async () => {
      const limiter = create(1);
      const held = await limiter.acquire(new AbortController().signal);
      const controller = new AbortController();
      const waiting = limiter.acquire(controller.signal);
      controller.abort();
      await expect(waiting).rejects.toMatchObject({ code: 'cancelled' });
      held();
      const next = await limiter.acquire(new AbortController().signal);
      next();
    });

    it('rejects at once when the signal has already aborted', async () => {
      const limiter = create(1);
      const controller = new AbortController();
      controller.abort();
      await expect(limiter.acquire(controller.signal)).rejects.toMatchObject({ code: 'cancelled' });
    });
  });
}
