/**
 * Adds a job under its deterministic id and waits for its outcome, or for
 * the request to stop. A job that already exists (a resumed parent re-adding
 * its child) is not added twice: BullMQ keeps the first, and we wait on it.
 *
 * Completion normally arrives through the queue's event stream. Streams are
 * capped, and a listener that falls behind a burst of thousands of jobs can
 * miss events, so a slow poll of the job's state backs the stream up: a
 * missed event costs at most one poll interval, never a hang.
 *
 * Tracing: the add and the wait run inside a PRODUCER span (`send <queue>`)
 * whose W3C context rides in the job's `trace` field; the consumer's span
 * becomes its child, so one request stays one trace across processes.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { SpanKind } from '@opentelemetry/api';
import { ATTR, injectTraceContext, RlmError, SPAN_NAMES, withSpan } from '@rlm/shared';
import type { Job, JobsOptions, Queue, QueueEvents } from 'bullmq';
import type { QueueSet } from './queue-set.ts';

/** How often a waiter checks its job directly, in case its completion event was missed. */
const POLL_INTERVAL_MS = 2_000;

export function addAndAwait(
  queues: QueueSet,
  queue: Queue,
  jobId: string,
  data: object,
  signal: AbortSignal,
  options: JobsOptions,
  /** After a stop, how long to keep waiting for a running job's own outcome (a REPL step reports its partial answer). */
  graceAfterStopMs = 0,
): Promise<unknown> {
  const attributes = {
    [ATTR.messagingSystem]: 'bullmq',
    [ATTR.messagingOperationType]: 'send',
    [ATTR.messagingDestinationName]: queue.name,
    [ATTR.messagingMessageId]: jobId,
  };
  return withSpan(
    SPAN_NAMES.publish(queue.name),
    { kind: SpanKind.PRODUCER, attributes },
    async () => {
      const trace = injectTraceContext();
      if (signal.aborted) throw stopped(signal);
      const events = await queues.eventsOf(queue);
      const job = await queue.add(queue.name, trace === undefined ? data : { ...data, trace }, {
        ...options,
        jobId,
      });
      return awaitOutcome(queue, jobId, job, events, signal, graceAfterStopMs);
    },
  );
}

async function awaitOutcome(
  queue: Queue,
  jobId: string,
  job: Job,
  events: QueueEvents,
  signal: AbortSignal,
  graceAfterStopMs: number,
): Promise<unknown> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      // The grace starts now, whatever Redis does: an unreachable Redis must not stretch a stop.
      setTimeout(() => reject(stopped(signal)), graceAfterStopMs).unref();
      void (async () => {
        // A job nobody has started is removed so no worker picks it up. A running or finished one is
        // left alone: running ones see the stop flag themselves and finish with their partial result.
        const state = await job.getState().catch(() => 'unknown');
        if (
          NOT_STARTED.has(state) &&
          (await job.remove().then(
            () => true,
            () => false,
          ))
        )
          reject(stopped(signal));
      })();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const poller = new AbortController();
  try {
    return await Promise.race([
      job.waitUntilFinished(events),
      aborted,
      pollUntilFinished(queue, jobId, poller.signal),
    ]);
  } catch (error) {
    if (signal.aborted) throw stopped(signal);
    if (error instanceof RlmError && error.code === 'redis_unavailable') throw error;
    throw new RlmError(
      'internal',
      `job ${jobId} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    poller.abort();
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    aborted.catch(() => undefined);
  }
}

/** Resolves with the job's return value once it has completed; rejects if it failed; never settles when stopped. */
async function pollUntilFinished(queue: Queue, jobId: string, stop: AbortSignal): Promise<unknown> {
  for (;;) {
    try {
      await delay(POLL_INTERVAL_MS, undefined, { signal: stop });
    } catch {
      return new Promise<never>(() => undefined);
    }
    const current = await queue.getJob(jobId).then(
      (job: Job | undefined) => ({ job }),
      () => undefined,
    );
    if (current === undefined) continue; // Redis unreachable: try again next interval
    // Redis answered, and the job we added is gone: Redis lost its data (a restart without
    // persistence, a flush). Waiting on would end in an empty answer at the deadline.
    if (current.job === undefined) {
      throw new RlmError(
        'redis_unavailable',
        `job ${jobId} vanished from Redis: Redis lost its data (restarted without AOF persistence?)`,
      );
    }
    const { finishedOn, failedReason, returnvalue } = current.job;
    if (finishedOn !== undefined && failedReason === undefined) return returnvalue as unknown;
    if (finishedOn !== undefined) throw new Error(failedReason);
  }
}

const NOT_STARTED = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

function stopped(signal: AbortSignal): RlmError {
  return new RlmError(
    'cancelled',
    `the request was stopped (${String(signal.reason ?? 'cancelled')})`,
  );
}
