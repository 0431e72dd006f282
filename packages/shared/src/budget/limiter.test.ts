import { describe, expect, it } from 'vitest';
import { LocalLimiter } from './limiter.ts';

describe('LocalLimiter', () => {
  it('grants slots in arrival order up to its capacity', async () => {
    const limiter = new LocalLimiter(2);
    const signal = new AbortController().signal;
    const order: number[] = [];
    const first = await limiter.acquire(signal);
    const second = await limiter.acquire(signal);
    const waiting = [3, 4].map((n) => limiter.acquire(signal).then((release) => (order.push(n), release)));
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    first(); // releasing twice frees one slot only
    const third = await waiting[0];
    expect(order).toEqual([3]);
    second();
    await waiting[1];
    expect(order).toEqual([3, 4]);
    third?.();
  });

  it('rejects waiters of an aborted signal and keeps the others queued', async () => {
    const limiter = new LocalLimiter(1);
    const doomed = new AbortController();
    const other = new AbortController();
    const held = await limiter.acquire(other.signal);
    const lost = limiter.acquire(doomed.signal);
    const kept = limiter.acquire(other.signal);
    doomed.abort();
    await expect(lost).rejects.toMatchObject({ code: 'cancelled' });
    held();
    await expect(kept).resolves.toBeTypeOf('function');
    await expect(limiter.acquire(doomed.signal)).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('refuses a capacity below one', () => {
    expect(() => new LocalLimiter(0)).toThrow(/positive integer/);
  });
});
