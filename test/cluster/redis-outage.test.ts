/**
 * Redis goes away under a running cluster: processes stay up and report not
 * ready, a request submitted meanwhile fails within its timeout instead of
 * hanging, and everything recovers when Redis is back on the same address.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateTask, gradeAnswer } from '@rlm/sim';
import { opsGet } from '../support/cluster-processes.ts';
import type { ClusterProcess } from '../support/cluster-processes.ts';
import { startRedisServer } from '../support/redis-server.ts';
import type { RedisServer } from '../support/redis-server.ts';
import { startClusterFixture } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

let cluster: ClusterFixture;
let revived: RedisServer | undefined;
beforeAll(async () => {
  cluster = await startClusterFixture({ policy: { type: 'solver' } });
}, 60_000);
afterAll(async () => {
  // Clients close while the revived Redis still answers; then it goes.
  await cluster.stop();
  await revived?.stop();
});

async function readinessBecomes(process_: ClusterProcess, status: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await opsGet(process_.opsPort, '/readyz')).status !== status) {
    if (Date.now() > deadline) throw new Error(`/readyz never answered ${status}`);
    await delay(100);
  }
}

it('survives a Redis outage: not ready, no crash, deadline honoured, recovery', async () => {
  const worker = await cluster.start('worker');
  const orchestrator = await cluster.start('orchestrator');
  // A long-lived client (as in rlm serve) that was connected before the outage.
  const longLived = cluster.client({ timeoutSec: 2 });
  const before = generateTask('needle', { seed: 76, contextChars: 20_000 });
  expect((await longLived.completion(before.context, before.query)).stopReason).toBe('final');
  await cluster.redis.stop();

  await readinessBecomes(worker, 503);
  await readinessBecomes(orchestrator, 503);
  expect(worker.child.exitCode).toBeNull();
  expect(orchestrator.child.exitCode).toBeNull();

  // A request submitted meanwhile fails in one line within its timeout instead of waiting on.
  const started = Date.now();
  for (const client of [cluster.client({ timeoutSec: 2 }), longLived]) {
    await expect(client.completion('ctx', 'q')).rejects.toMatchObject({
      code: 'redis_unavailable',
      message: `cannot reach Redis (${cluster.redis.url}) within 2 s`,
    });
  }
  expect(Date.now() - started).toBeLessThan(30_000);

  revived = await startRedisServer({ port: cluster.redis.port });
  await readinessBecomes(worker, 200);
  await readinessBecomes(orchestrator, 200);
  const task = generateTask('needle', { seed: 77, contextChars: 200_000 });
  const result = await cluster.client().completion(task.context, task.query);
  expect(result.stopReason).toBe('final');
  expect(gradeAnswer(task, result.answer)).toBe(1);
  // Reconnects must not pile up listeners on shared connections.
  for (const process_ of [worker, orchestrator]) expect(process_.stderr()).not.toContain('MaxListenersExceededWarning');
}, 120_000);
