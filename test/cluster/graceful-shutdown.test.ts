/**
 * SIGTERM on a worker: readiness flips to 503 at once, the worker takes no
 * new jobs, the running job finishes within the grace period, the process
 * exits 0, and the request it was serving completes. Work submitted while it
 * drains waits in the queue for another worker.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createRedisClient, QueueSet } from '@rlm/redis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isSessionTurn, repl } from '../support/engine-requests.ts';
import { opsGet } from '../support/cluster-processes.ts';
import { startClusterFixture } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

let cluster: ClusterFixture;
/** The first sub-call is held until the test releases it: the worker is mid-job while it drains. */
let releaseFirstSubcall: () => void = () => {};
const firstSubcallHeld = new Promise<void>((resolve) => {
  releaseFirstSubcall = resolve;
});
let subcallsAnswered = 0;

beforeAll(async () => {
  cluster = await startClusterFixture({
    policy: {
      type: 'scripted',
      replies: async (request) => {
        if (isSessionTurn(request)) return repl(`FINAL(await llm_query('slow one'))`);
        subcallsAnswered += 1;
        if (subcallsAnswered === 1) await firstSubcallHeld;
        return { content: `finished late ${subcallsAnswered}` };
      },
    },
  });
}, 60_000);
afterAll(async () => {
  releaseFirstSubcall();
  await cluster.stop();
});

it('drains on SIGTERM: not ready, takes no new jobs, finishes its running job, exits 0', async () => {
  const worker = await cluster.start('worker', ['--grace', '30']);
  await cluster.start('orchestrator');
  const client = cluster.client();
  const first = client.completion('ctx', 'q');
  while (cluster.sim.stats().requestsByKind.subcall < 1) await delay(10);

  const exited = worker.kill('SIGTERM');
  let readiness = 200;
  while (readiness === 200) readiness = (await opsGet(worker.opsPort, '/readyz')).status;
  expect(readiness).toBe(503);

  // A request submitted now: the orchestrator runs its session, whose first
  // root-model call is an LLM job offered while the worker drains.
  const connection = createRedisClient(cluster.redis.url, 'bullmq');
  const queues = new QueueSet({ connection, prefix: `{${cluster.prefix}}` });
  const waitingLlmJobs = (): Promise<number> =>
    queues.llm.getJobCountByTypes('waiting', 'prioritized');
  try {
    const second = cluster.client().completion('ctx', 'second');
    while ((await waitingLlmJobs()) < 1) await delay(10);
    expect(worker.child.exitCode).toBeNull(); // still draining: its held job keeps it alive

    releaseFirstSubcall();
    expect(await exited).toBe(0);
    expect(await first).toMatchObject({ answer: 'finished late 1', stopReason: 'final' });
    expect(worker.stderr()).toMatch(/draining[\s\S]*stopped/);

    // The draining worker never took that job: it still waits, and the model saw no second request.
    expect(await waitingLlmJobs()).toBe(1);
    expect(cluster.sim.stats().requestsByKind).toEqual({ root: 1, subcall: 1 });

    // A fresh worker picks the waiting work up (its sub-call is answered from the result cache).
    await cluster.start('worker');
    expect(await second).toMatchObject({ answer: 'finished late 1', stopReason: 'final' });
  } finally {
    await queues.close();
    connection.disconnect();
  }
}, 60_000);
