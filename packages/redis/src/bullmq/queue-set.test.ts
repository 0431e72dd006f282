import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { useRedis } from '../../../../test/support/redis-fixture.ts';
import { createRedisClient } from '../redis-client.ts';
import { QueueSet } from './queue-set.ts';

const fixture = useRedis();
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A QueueSet plus a Worker on its llm queue that doubles `data.n` (or fails on `data.fail`). */
async function setUp(): Promise<QueueSet> {
  const prefix = `{w${randomUUID().slice(0, 8)}}`;
  const connection = createRedisClient(fixture.url(), 'bullmq');
  const queues = new QueueSet({ connection, prefix });
  const worker = new Worker(
    queues.llm.name,
    (job: { data: { n: number; fail?: boolean } }) => {
      if (job.data.fail === true) throw new Error('refused');
      return Promise.resolve(job.data.n * 2);
    },
    { connection: createRedisClient(fixture.url(), 'bullmq'), prefix, concurrency: 64 },
  );
  closers.push(async () => {
    await worker.close();
    await queues.close();
    connection.disconnect();
  });
  return queues;
}

async function addAndWait(queues: QueueSet, jobId: string, data: object): Promise<unknown> {
  const wait = (await queues.waitersOf(queues.llm)).wait(jobId);
  await queues.add(queues.llm, data, { jobId });
  return wait.finished;
}

describe('QueueSet.add (bursts travel as one addBulk)', () => {
  it('adds a burst of jobs under their own ids and data, a repeated id once', async () => {
    const queues = await setUp();
    const ids = [...Array.from({ length: 50 }, (_, n) => `burst-${n}`), 'burst-7'];
    const jobs = await Promise.all(ids.map((jobId, n) => queues.add(queues.llm, { n }, { jobId })));
    expect(jobs.map((job) => job.id)).toEqual(ids);
    const stored = await Promise.all(ids.slice(0, 50).map((jobId) => queues.llm.getJob(jobId)));
    expect(stored.map((job) => (job?.data as { n: number } | undefined)?.n)).toEqual(Array.from({ length: 50 }, (_, n) => n));
  });
});

describe('JobWaiters', () => {
  it('answers 200 concurrent waiters on one queue, without a MaxListenersExceededWarning', async () => {
    const queues = await setUp();
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const values = await Promise.all(Array.from({ length: 200 }, (_, n) => addAndWait(queues, `job-${n}`, { n })));
      expect(values).toEqual(Array.from({ length: 200 }, (_, n) => n * 2));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning');
  });

  it('rejects with the failure of a failed job', async () => {
    const queues = await setUp();
    await expect(addAndWait(queues, 'job-fail', { n: 1, fail: true })).rejects.toThrow('refused');
  });

  it('answers a job that had finished before it was added again under its id (a resumed parent)', async () => {
    const queues = await setUp();
    expect(await addAndWait(queues, 'job-once', { n: 21 })).toBe(42);
    // The second add finds the finished job: BullMQ writes `duplicated`, not `completed`.
    expect(await addAndWait(queues, 'job-once', { n: 99 })).toBe(42);
  });
});
