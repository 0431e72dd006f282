import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { CompletionResponse } from '@rlm/shared';
import { useRedis } from '../../../test/support/redis-fixture.ts';
import { RedisCallCoalescer } from './redis-call-coalescer.ts';
import { createRedisClient } from './redis-client.ts';
import { RedisResultCache } from './redis-result-cache.ts';

const fixture = useRedis();

const response: CompletionResponse = {
  content: 'shared',
  model: 'sim-small',
  usage: { inputTokens: 3, outputTokens: 1, cachedInputTokens: 0 },
};
const options = { namespace: 'subcall-v1', ttlSeconds: 60 };

describe('RedisCallCoalescer (cluster behaviour beyond the CallCoalescer contract)', () => {
  it('joins identical calls from processes on different connections', async () => {
    const keys = fixture.freshKeys();
    const clients = [
      fixture.client(),
      createRedisClient(fixture.url()),
      createRedisClient(fixture.url()),
    ];
    try {
      // Connected first, so all three calls are in flight together (a call arriving after the
      // owner finished finds the stored result instead: see the next test).
      await Promise.all(clients.map((client) => client.ping()));
      let runs = 0;
      let finish!: () => void;
      const gate = new Promise<void>((resolve) => (finish = resolve));
      const compute = async (): Promise<CompletionResponse> => {
        runs += 1;
        await gate;
        return response;
      };
      const calls = clients.map((client) =>
        new RedisCallCoalescer(client, keys, options).coalesce('k', compute),
      );
      await expect.poll(() => fixture.client().get(keys.result('subcall-v1', 'k'))).toMatch(/^pending:/);
      finish();
      const results = await Promise.all(calls);
      expect(runs).toBe(1);
      expect(results.filter((result) => result.joined)).toHaveLength(2);
    } finally {
      await Promise.all(clients.slice(1).map((client) => client.quit()));
    }
  });

  it('returns a result stored by another process without computing, in the step that would take the lock', async () => {
    // The caller skips its own cache lookup (readsResults), so a result stored after that
    // lookup and before the lock (the race that paid for a call twice) cannot be missed.
    const keys = fixture.freshKeys();
    const coalescer = new RedisCallCoalescer(fixture.client(), keys, options);
    expect(coalescer.readsResults).toBe(true);
    await new RedisResultCache(fixture.client(), keys, options).set('k', response);
    let runs = 0;
    const outcome = await coalescer.coalesce('k', () => {
      runs += 1;
      return Promise.resolve({ ...response, content: 'recomputed' });
    });
    expect(runs).toBe(0);
    expect(outcome).toEqual({ response, joined: true, cached: true });
  });

  it('writes the result where RedisResultCache reads it, with the cache TTL in place of the lease', async () => {
    const keys = fixture.freshKeys();
    const cache = new RedisResultCache(fixture.client(), keys, options);
    let seenWhileComputing: CompletionResponse | undefined | null = null;
    await new RedisCallCoalescer(fixture.client(), keys, options).coalesce('k', async () => {
      // The pending marker is a miss for readers of the cache, never a completion.
      seenWhileComputing = await cache.get('k');
      return response;
    });
    expect(seenWhileComputing).toBeUndefined();
    expect(await cache.get('k')).toEqual(response);
    const ttl = await fixture.client().ttl(keys.result('subcall-v1', 'k'));
    expect(ttl).toBeGreaterThan(30);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('frees the key when the owner fails, so the next caller computes', async () => {
    const keys = fixture.freshKeys();
    const coalescer = new RedisCallCoalescer(fixture.client(), keys, options);
    await expect(coalescer.coalesce('k', () => Promise.reject(new Error('provider down')))).rejects.toThrow('provider down');
    expect(await fixture.client().exists(keys.result('subcall-v1', 'k'))).toBe(0);
    expect(await coalescer.coalesce('k', () => Promise.resolve(response))).toEqual({ response, joined: false });
  });

  it('takes over when the owner crashed and its lease ran out', async () => {
    const keys = fixture.freshKeys();
    // A lock whose owner died: nobody renews it, nobody writes the result.
    await fixture.client().set(keys.result('subcall-v1', 'k'), 'pending:dead-owner', 'PX', 150);
    const started = performance.now();
    const result = await new RedisCallCoalescer(fixture.client(), keys, options).coalesce('k', () =>
      Promise.resolve(response),
    );
    expect(result).toEqual({ response, joined: false });
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('renews its lease while computing, so a slow call is not computed twice', async () => {
    const keys = fixture.freshKeys();
    let runs = 0;
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const compute = async (): Promise<CompletionResponse> => {
      runs += 1;
      await gate;
      return response;
    };
    const owner = new RedisCallCoalescer(fixture.client(), keys, {
      ...options,
      leaseMs: 90,
    }).coalesce('k', compute);
    await expect.poll(() => runs).toBe(1);
    const joiner = new RedisCallCoalescer(fixture.client(), keys, {
      ...options,
      leaseMs: 90,
    }).coalesce('k', compute);
    // Watch the pending marker for several lease lengths: only renewal keeps it alive.
    const slot = keys.result('subcall-v1', 'k');
    const deadline = performance.now() + 400;
    while (performance.now() < deadline) {
      expect(await fixture.client().get(slot)).toMatch(/^pending:/);
      await delay(20);
    }
    finish();
    expect((await owner).joined).toBe(false);
    expect((await joiner).joined).toBe(true);
    expect(runs).toBe(1);
  });

  it('computes alone when Redis is unreachable', async () => {
    const down = createRedisClient(fixture.url(), 'commands', {
      lazyConnect: true,
      enableOfflineQueue: false,
    });
    try {
      const coalescer = new RedisCallCoalescer(down, fixture.freshKeys(), options);
      expect(await coalescer.coalesce('k', () => Promise.resolve(response))).toEqual({
        response,
        joined: false,
      });
    } finally {
      down.disconnect();
    }
  });
});
