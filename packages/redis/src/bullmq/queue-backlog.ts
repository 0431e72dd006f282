/**
 * How much work waits in the cluster's queues: the `/backlog` contract that
 * autoscalers (KEDA's metrics-api scaler) read, and the queue gauges of
 * /metrics. `backlog` counts jobs nobody has started yet: waiting +
 * prioritized + delayed + paused, across every rlm queue.
 */
import type { Queue } from 'bullmq';

export interface QueueBacklog {
  readonly waiting: number;
  readonly prioritized: number;
  readonly delayed: number;
  readonly paused: number;
  readonly active: number;
  /** Age of the oldest waiting job, seconds; 0 when none waits. */
  readonly oldestWaitingAgeSeconds: number;
}

export interface Backlog {
  readonly backlog: number;
  readonly queues: Readonly<Record<string, QueueBacklog>>;
}

export async function readBacklog(queues: readonly Queue[], now = Date.now()): Promise<Backlog> {
  const entries = await Promise.all(
    queues.map(async (queue) => [queue.name, await readQueue(queue, now)] as const),
  );
  let backlog = 0;
  for (const [, counts] of entries)
    backlog += counts.waiting + counts.prioritized + counts.delayed + counts.paused;
  return { backlog, queues: Object.fromEntries(entries) };
}

async function readQueue(queue: Queue, now: number): Promise<QueueBacklog> {
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
  // BullMQ 6 keeps a paused queue's jobs in its wait list: they count as paused, not waiting.
  const paused = await queue.isPaused();
  const inWaitList = counts.waiting ?? 0;
  // BullMQ pushes new jobs at the head of the wait list: the oldest is the first in ascending order.
  const [oldest] = inWaitList > 0 ? await queue.getJobs(['waiting'], 0, 0, true) : [];
  return {
    waiting: paused ? 0 : inWaitList,
    prioritized: counts.prioritized ?? 0,
    delayed: counts.delayed ?? 0,
    paused: paused ? inWaitList : 0,
    active: counts.active ?? 0,
    oldestWaitingAgeSeconds:
      oldest === undefined ? 0 : Math.max(0, (now - oldest.timestamp) / 1000),
  };
}
