/**
 * Nothing a request creates lives forever in Redis: after a cluster request
 * with a 1 MB context, a 5 MB REPL variable (snapshotted between steps), a
 * sub-call (result cache) and a listener (event stream), every key over
 * 64 KB has an expiry, and so does every key under the engine's prefix. The
 * queues' own keys (`{prefix}:<queue>:...`, BullMQ's) carry no TTL: jobs are
 * removed by age and count, queue event streams are capped by entries.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RlmEvent } from '@rlm/shared';
import { isSessionTurn, repl, turnIndex } from '../support/engine-requests.ts';
import { startClusterFixture } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

const LARGE_BYTES = 64 * 1024;

let cluster: ClusterFixture;
beforeAll(async () => {
  cluster = await startClusterFixture({
    policy: {
      type: 'scripted',
      replies: (request) => {
        if (!isSessionTurn(request)) return 'sub-answer';
        if (turnIndex(request) === 0) {
          return repl(`const big = 'x'.repeat(5_000_000) + context.slice(0, 10); const sub = await llm_query('a sub-call'); print(big.length, sub)`);
        }
        return repl(`FINAL('size ' + big.length)`);
      },
    },
  });
  await Promise.all([cluster.start('worker'), cluster.start('orchestrator')]);
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

it('leaves no key over 64 KB without an expiry after a request', async () => {
  const events: RlmEvent[] = [];
  const result = await cluster
    .client()
    .completion('c'.repeat(1_000_000), 'how big?', { onEvent: (event) => events.push(event) });
  expect(result.answer).toBe('size 5000010');
  expect(events.some((event) => event.type === 'session-end')).toBe(true);

  const redis = new Redis(cluster.redis.url);
  try {
    const keys = await redis.keys('*');
    const large: Array<{ key: string; bytes: number; ttl: number }> = [];
    for (const key of keys) {
      const bytes = (await redis.memory('USAGE', key)) ?? 0;
      if (bytes > LARGE_BYTES) large.push({ key, bytes, ttl: await redis.ttl(key) });
    }
    // The request did leave large keys (context, snapshot): the check is not vacuous.
    expect(large.map((entry) => entry.key)).toEqual(
      expect.arrayContaining([expect.stringContaining(`${cluster.prefix}:blob:`)]),
    );
    expect(large.filter((entry) => entry.ttl < 0)).toEqual([]);
    // Everything this request keyed (not the queues) expires, large or small.
    const requestKeys = keys.filter((key) => key.startsWith(`${cluster.prefix}:`));
    const forever = [];
    for (const key of requestKeys) if ((await redis.ttl(key)) < 0) forever.push(key);
    expect(forever).toEqual([]);
  } finally {
    redis.disconnect();
  }
}, 120_000);
