/**
 * Waits for jobs of one queue to finish, for every waiter of this process,
 * with one `completed` and one `failed` listener on the queue's QueueEvents
 * (BullMQ's `job.waitUntilFinished` adds three listeners and runs one Redis
 * script per job, and warns once more than ten jobs wait on one queue).
 *
 * A waiter is registered before its job is added, so the completion event
 * cannot come before the listener; no per-job state check is needed. Two
 * cases need a look at the job itself (`getJob`, one HGETALL):
 *   - the job already existed (a resumed parent re-adding its child under the
 *     same id): BullMQ then writes a `duplicated` event instead of adding it;
 *   - its completion event may have been trimmed from the capped stream before
 *     our listener read it. Every SWEEP_MS, while anyone waits, one XRANGE
 *     reads the oldest event still kept; waiters added before it are looked at.
 *     An empty stream while jobs wait means Redis lost its data: every waiter
 *     is looked at, and a job that is gone fails with `redis_unavailable`.
 *     Waiters nobody has looked at for STALE_MS are looked at too: a gap this
 *     reasoning misses costs a slow answer, never a hang.
 */
import { RlmError } from '@rlm/shared';
import type { Job, Queue, QueueEvents } from 'bullmq';

const SWEEP_MS = 2_000;
const STALE_MS = 30_000;
/** Stream ids carry the Redis host's clock; ours may differ by this much. */
const CLOCK_SLACK_MS = 1_000;

interface Waiter {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly addedAt: number;
  checkedAt: number;
}

export interface JobWait {
  /** Resolves with the job's return value; rejects with its failure. */
  readonly finished: Promise<unknown>;
  /** Stops waiting (the promise then never settles). */
  cancel(): void;
}

/**
 * Epoch ms of the oldest event the queue's stream still holds (Infinity when it
 * holds none: everything was dropped); undefined when it cannot tell.
 */
export type OldestEventReader = (eventsKey: string) => Promise<number | undefined>;

export class JobWaiters {
  private readonly queue: Queue;
  private readonly oldestEvent: OldestEventReader;
  private readonly waiters = new Map<string, Set<Waiter>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(queue: Queue, events: QueueEvents, oldestEvent: OldestEventReader) {
    this.queue = queue;
    this.oldestEvent = oldestEvent;
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, (waiter) => waiter.resolve(returnvalue)));
    events.on('failed', ({ jobId, failedReason }) => this.settle(jobId, (waiter) => waiter.reject(new Error(failedReason))));
    events.on('duplicated', ({ jobId }) => void this.look(jobId));
  }

  /** Call before adding the job. */
  wait(jobId: string): JobWait {
    let waiter!: Waiter;
    const finished = new Promise<unknown>((resolve, reject) => {
      const now = Date.now();
      waiter = { resolve, reject, addedAt: now, checkedAt: now };
    });
    let group = this.waiters.get(jobId);
    if (group === undefined) {
      group = new Set();
      this.waiters.set(jobId, group);
    }
    group.add(waiter);
    this.timer ??= setInterval(() => void this.sweep().catch(() => undefined), SWEEP_MS).unref();
    return { finished, cancel: () => this.remove(jobId, waiter) };
  }

  /** Rejects every waiter (the queue is closing). */
  close(): void {
    for (const jobId of [...this.waiters.keys()]) this.settle(jobId, (waiter) => waiter.reject(new Error('the queue was closed')));
  }

  private settle(jobId: string, finish: (waiter: Waiter) => void): void {
    const group = this.waiters.get(jobId);
    if (group === undefined) return;
    this.waiters.delete(jobId);
    for (const waiter of group) finish(waiter);
    this.stopTimerIfIdle();
  }

  private remove(jobId: string, waiter: Waiter): void {
    const group = this.waiters.get(jobId);
    group?.delete(waiter);
    if (group?.size === 0) this.waiters.delete(jobId);
    this.stopTimerIfIdle();
  }

  private stopTimerIfIdle(): void {
    if (this.waiters.size > 0 || this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async sweep(): Promise<void> {
    if (this.waiters.size === 0) return;
    // Unknown: assume nothing was trimmed; the STALE_MS look still covers every waiter.
    const keptSince = (await this.oldestEvent(this.queue.keys['events'] ?? '').catch(() => undefined)) ?? 0;
    const now = Date.now();
    const due: string[] = [];
    for (const [jobId, group] of this.waiters) {
      for (const waiter of group) {
        // A waiter younger than one sweep may still have its add in flight: its job is not missing yet.
        if (now - waiter.addedAt < SWEEP_MS) continue;
        if (waiter.addedAt + CLOCK_SLACK_MS < keptSince || now - waiter.checkedAt >= STALE_MS) {
          due.push(jobId);
          break;
        }
      }
    }
    await Promise.all(due.map((jobId) => this.look(jobId)));
  }

  /** Settles the job's waiters if it has finished, or if Redis answers that it is gone. */
  private async look(jobId: string): Promise<void> {
    const now = Date.now();
    for (const waiter of this.waiters.get(jobId) ?? []) waiter.checkedAt = now;
    const found = await this.queue.getJob(jobId).then(
      (job: Job | undefined) => ({ job }),
      () => undefined,
    );
    if (found === undefined) return; // Redis unreachable: look again at the next sweep
    const { job } = found;
    // Redis answered, and a job we added is gone: Redis lost its data (a restart without
    // persistence, a flush). Waiting on would end in an empty answer at the deadline.
    if (job === undefined) {
      const error = new RlmError('redis_unavailable', `job ${jobId} vanished from Redis: Redis lost its data (restarted without AOF persistence?)`);
      this.settle(jobId, (waiter) => waiter.reject(error));
      return;
    }
    if (job.finishedOn === undefined) return;
    if (job.failedReason === undefined) this.settle(jobId, (waiter) => waiter.resolve(job.returnvalue));
    else this.settle(jobId, (waiter) => waiter.reject(new Error(job.failedReason)));
  }
}
