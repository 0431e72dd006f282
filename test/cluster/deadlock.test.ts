/**
 * No deadlock at any depth: concurrency 1 on every queue, depth 3, 20
 * concurrent roots, through real worker and orchestrator processes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recursiveTree } from '../support/scripted-tree.ts';
import { startClusterFixture } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

let cluster: ClusterFixture;
beforeAll(async () => {
  cluster = await startClusterFixture({ policy: { type: 'scripted', replies: recursiveTree(2) } });
  const one = ['--llm-concurrency', '1', '--step-concurrency', '1', '--session-concurrency', '1'];
  await Promise.all([cluster.start('worker', one), cluster.start('orchestrator', one)]);
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

it('finishes 20 concurrent depth-3 roots with one slot per queue', async () => {
  const client = cluster.client({ maxDepth: 3 });
  const results = await Promise.all(Array.from({ length: 20 }, (_, index) => client.completion(`root ${index}`, 'recurse')));
  for (const result of results) {
    expect(result.stopReason).toBe('final');
    expect(result.answer).toBe('d0>d1>leaf-ok');
  }
  // Every root ran three sessions (depths 0, 1, 2), each with one turn.
  expect(cluster.sim.stats().requestsByKind.root).toBe(60);
}, 180_000);
