/**
 * What the cluster shares across processes: duplicate sub-calls reach the
 * provider once (across requests and concurrent), and one request's token
 * budget holds across several workers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSessionTurn, repl, turnIndex } from '../support/engine-requests.ts';
import { startClusterFixture } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

let cluster: ClusterFixture;
beforeAll(async () => {
  cluster = await startClusterFixture({
    policy: {
      type: 'scripted',
      replies: (request) => {
        if (!isSessionTurn(request)) return { content: 'ok', delayMs: 50 };
        const query = request.messages[1]?.content ?? '';
        if (query.includes('RUNAWAY')) {
          return repl(`answer.content = 'partial ${turnIndex(request)}'; while (true) { await llm_query_batched(Array.from({ length: 20 }, () => 'spend ' + Math.random())); }`);
        }
        return repl(`const replies = await llm_query_batched(Array.from({ length: 30 }, (_, i) => 'shared prompt ' + i)); FINAL(String(replies.length))`);
      },
    },
  });
  await Promise.all([cluster.start('worker'), cluster.start('worker'), cluster.start('orchestrator')]);
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

describe('shared work across the cluster', () => {
  it('sends duplicate sub-calls to the provider once, across concurrent and later requests', async () => {
    const client = cluster.client();
    const concurrent = await Promise.all([1, 2, 3].map((n) => client.completion(`ctx ${n}`, 'dedupe')));
    const later = await client.completion('ctx 4', 'dedupe');
    for (const result of [...concurrent, later]) expect(result.answer).toBe('30');
    const counts = [...cluster.sim.stats().requestsByPromptHash.values()];
    const subcallRequests = cluster.sim.stats().requestsByKind.subcall;
    expect(subcallRequests).toBe(30);
    expect(Math.max(...counts)).toBe(1);
    expect(later.cacheHits).toBe(30);
  }, 120_000);

  it('holds one token budget across workers', async () => {
    const maxTokens = 20_000;
    const client = cluster.client({ maxTokens, maxOutputTokens: 128, maxIterations: 50 });
    const result = await client.completion('ctx', 'RUNAWAY');
    expect(result.stopReason).toBe('max_tokens');
    const used = result.usage.inputTokens + result.usage.outputTokens;
    // At most one call's reservation over the cap (its prompt plus its 128-token output cap).
    expect(used).toBeLessThanOrEqual(maxTokens + 3_000);
    expect(used).toBeGreaterThan(maxTokens / 2);
    expect(result.answer).toMatch(/^partial/);
  }, 120_000);
});
