/**
 * SIGTERM on a worker: readiness flips to 503 at once, the running jobs
 * finish within the grace period, the process exits 0, and the request it
 * was serving completes.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isSessionTurn, repl } from '../support/engine-requests.ts';
import { opsGet } from '../support/cluster-processes.ts';
import { startClusterFixture } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

let cluster: ClusterFixture;
beforeAll(async () => {
  cluster = await startClusterFixture({
    policy: {
      type: 'scripted',
      replies: (request) => (isSessionTurn(request) ? repl(`FINAL(await llm_query('slow one'))`) : { content: 'finished late', delayMs: 2_000 }),
    },
  });
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

it('drains on SIGTERM: not ready, finishes its running jobs, exits 0', async () => {
  const worker = await cluster.start('worker', ['--grace', '30']);
  await cluster.start('orchestrator');
  const pending = cluster.client().completion('ctx', 'q');
  while (cluster.sim.stats().requestsByKind.subcall < 1) await delay(10);

  const exited = worker.kill('SIGTERM');
  let readiness = 200;
  while (readiness === 200) readiness = (await opsGet(worker.opsPort, '/readyz')).status;
  expect(readiness).toBe(503);
  expect(await exited).toBe(0);

  const result = await pending;
  expect(result).toMatchObject({ answer: 'finished late', stopReason: 'final' });
  expect(worker.stderr()).toMatch(/draining[\s\S]*stopped/);
}, 60_000);
