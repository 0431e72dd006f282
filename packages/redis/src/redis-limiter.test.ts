import { describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/support/redis-fixture.ts';
import { createRedisClient } from './redis-client.ts';
import { RedisKeys } from './redis-keys.ts';
import { RedisLimiter } from './redis-limiter.ts';

const fixture = useRedis();

describe('RedisLimiter (cluster behaviour beyond the Limiter contract)', () => {
  it('frees the slot of a holder that never releases once its lease runs out', async () => {
    const keys = fixture.freshKeys();
    const crashed = new RedisLimiter(fixture.client(), keys, {
      rootId: 'r',
      capacity: 1,
      leaseMs: 100,
    });
    await crashed.acquire(new AbortController().signal); // never released: the holder "crashed"
    const survivor = new RedisLimiter(fixture.client(), keys, { rootId: 'r', capacity: 1 });
    const started = performance.now();
    const release = await survivor.acquire(new AbortController().signal);
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
    release();
  });

  it('lets the re-run of a call take over the slot its crashed run still holds, and no one else', async () => {
    const keys = fixture.freshKeys();
    const crashed = new RedisLimiter(fixture.client(), keys, { rootId: 'r', capacity: 1 });
    await crashed.acquire(new AbortController().signal, 'call-7'); // never released: its worker died
    const survivor = new RedisLimiter(fixture.client(), keys, { rootId: 'r', capacity: 1 });
    const other = new AbortController();
    let otherGranted = false;
    const otherCall = survivor.acquire(other.signal, 'call-8').then((release) => {
      otherGranted = true;
      return release;
    });
    const release = await survivor.acquire(new AbortController().signal, 'call-7');
    expect(await fixture.client().zcard(keys.limiter('r'))).toBe(1);
    expect(otherGranted).toBe(false);
    release();
    // The slot is free again: the other call gets it.
    (await otherCall)();
  });

  it('caps holders across instances on different connections', async () => {
    const keys = fixture.freshKeys();
    const clients = [
      fixture.client(),
      createRedisClient(fixture.url()),
      createRedisClient(fixture.url()),
    ];
    try {
      const limiters = clients.map(
        (client) => new RedisLimiter(client, keys, { rootId: 'r', capacity: 2 }),
      );
      const signal = new AbortController().signal;
      let holding = 0;
      let peak = 0;
      await Promise.all(
        Array.from({ length: 24 }, async (_, index) => {
          const release = await limiters[index % limiters.length]!.acquire(signal);
          holding += 1;
          peak = Math.max(peak, holding);
          expect(await fixture.client().zcard(keys.limiter('r'))).toBeLessThanOrEqual(2);
          holding -= 1;
          release();
        }),
      );
      expect(peak).toBeLessThanOrEqual(2);
    } finally {
      await Promise.all(clients.slice(1).map((client) => client.quit()));
    }
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(
      () => new RedisLimiter(fixture.client(), new RedisKeys('x'), { rootId: 'r', capacity: 0 }),
    ).toThrow(/positive integer/);
  });
});
