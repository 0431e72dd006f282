/**
 * A conversation in cluster mode (issue 16): the first question's REPL state waits in Redis (with an
 * expiry), so the follow-up continues it on a worker that never saw the conversation.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colourRows, conversationScript } from '../support/conversation-script.ts';
import { startClusterFixture } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

let cluster: ClusterFixture;

beforeAll(async () => {
  cluster = await startClusterFixture({ policy: { type: 'scripted', replies: conversationScript } });
  await cluster.start('orchestrator');
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

describe('cluster conversations', () => {
  it('a follow-up continues the REPL on another worker, from the state kept in Redis', async () => {
    const firstWorker = await cluster.start('worker');
    const client = cluster.client();
    const conversation = client.conversation(colourRows());
    const first = await conversation.ask('Count the colours of the rows.');
    expect(first).toMatchObject({ stopReason: 'final', answer: JSON.stringify({ red: 20, green: 10, blue: 10 }) });

    const redis = new Redis(cluster.redis.url);
    try {
      const key = `${cluster.prefix}:conversation:{${conversation.id}}`;
      expect(await redis.get(key)).toMatch(/^[0-9a-f]{64}$/);
      expect(await redis.ttl(key)).toBeGreaterThan(0);

      // The worker holding the live REPL goes away; a new one has only Redis to go on.
      await firstWorker.kill('SIGKILL');
      await cluster.start('worker');
      conversation.addContext('an added document');
      cluster.sim.resetStats();
      const second = await conversation.ask('How many red rows are there?');
      expect(second.answer).toBe(`20 red rows; 1 earlier, first answer ${first.answer}; context_1 has 17 characters`);
      // One root turn and no sub-calls: `counts` came back from the snapshot.
      expect(cluster.sim.stats().requestsByKind).toEqual({ root: 1, subcall: 0 });

      await conversation.close();
      expect(await redis.exists(key)).toBe(0);
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
