import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/support/redis-fixture.ts';
import { RedisCancellationBus } from './redis-cancellation-bus.ts';
import { createRedisClient } from './redis-client.ts';

const fixture = useRedis();

/** Resolves with the abort reason when the signal aborts. */
async function aborted(signal: AbortSignal): Promise<unknown> {
  if (!signal.aborted) await once(signal, 'abort');
  return signal.reason;
}

describe('RedisCancellationBus', () => {
  it('aborts a watcher that starts after the stop', async () => {
    const bus = new RedisCancellationBus(fixture.client(), fixture.freshKeys());
    try {
      await bus.stop('root-1', 'max_cost');
      const watch = bus.watch('root-1');
      expect(await aborted(watch.signal)).toBe('max_cost');
      watch.close();
    } finally {
      await bus.close();
    }
  });

  it('aborts a watcher when the stop comes later', async () => {
    const bus = new RedisCancellationBus(fixture.client(), fixture.freshKeys());
    try {
      const watch = bus.watch('root-1');
      const other = bus.watch('root-2');
      await bus.stop('root-1', 'cancelled');
      expect(await aborted(watch.signal)).toBe('cancelled');
      expect(other.signal.aborted).toBe(false);
      expect(await bus.reason('root-2')).toBeUndefined();
    } finally {
      await bus.close();
    }
  });

  it('reaches watchers of another bus on another connection', async () => {
    const keys = fixture.freshKeys();
    const otherClient = createRedisClient(fixture.url());
    const stopper = new RedisCancellationBus(fixture.client(), keys);
    const watcher = new RedisCancellationBus(otherClient, keys);
    try {
      const first = watcher.watch('root-1');
      const second = watcher.watch('root-1');
      await stopper.stop('root-1', 'timeout');
      expect(await aborted(first.signal)).toBe('timeout');
      expect(await aborted(second.signal)).toBe('timeout');
    } finally {
      await stopper.close();
      await watcher.close();
      await otherClient.quit();
    }
  });

  it('keeps the first reason; a repeated stop does not throw', async () => {
    const keys = fixture.freshKeys();
    const bus = new RedisCancellationBus(fixture.client(), keys);
    try {
      await bus.stop('root-1', 'timeout');
      await bus.stop('root-1', 'cancelled');
      expect(await bus.reason('root-1')).toBe('timeout');
      expect(await aborted(bus.watch('root-1').signal)).toBe('timeout');
      const ttl = await fixture.client().ttl(keys.cancel('root-1'));
      expect(ttl).toBeGreaterThan(0);
    } finally {
      await bus.close();
    }
  });

  it('holds one subscriber connection however many roots it watches, and quits it on close', async () => {
    const keys = fixture.freshKeys();
    const bus = new RedisCancellationBus(fixture.client(), keys);
    const subscribers = async (): Promise<number> => {
      const reply = (await fixture.client().call('PUBSUB', 'NUMSUB', keys.cancelChannel())) as [
        string,
        number,
      ];
      return Number(reply[1]);
    };
    const watches = Array.from({ length: 20 }, (_, index) => bus.watch(`root-${index}`));
    await bus.stop('root-19', 'cancelled');
    expect(await aborted(watches[19]!.signal)).toBe('cancelled');
    expect(await subscribers()).toBe(1);
    await bus.close();
    // The server drops a quitting client just after its QUIT reply: poll for it.
    await expect.poll(subscribers).toBe(0);
  });
});
