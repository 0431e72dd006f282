/**
 * Adds a job under its deterministic id and waits for its outcome, or for
 * the request to stop. A job that already exists (a resumed parent re-adding
 * its child) is not added twice: BullMQ keeps the first, and we wait on it.
 *
 * Completion arrives through the queue's event stream, read by one listener
 * per queue and process (job-waiters.ts, which also covers jobs that already
 * existed and events trimmed from the capped stream).
 *
 * Tracing: the add and the wait run inside a PRODUCER span (`send <queue>`)
 * whose W3C context rides in the job's `trace` field; the consumer's span
 * becomes its child, so one request stays one trace across processes.
 */
import { SpanKind } from '@opentelemetry/api';
import { ATTR, injectTraceContext, RlmError, SPAN_NAMES, withSpan } from '@rlm/shared';
import type { Job, JobsOptions, Queue } from 'bullmq';
import type { JobWait } from './job-waiters.ts';
import type { QueueSet } from './queue-set.ts';

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
      const wait = (await queues.waitersOf(queue)).wait(jobId);
      let job: Job;
      try {
        job = await queues.add(queue, trace === undefined ? data : { ...data, trace }, { ...options, jobId });
      } catch (error) {
        wait.cancel();
        throw error;
      }
      return awaitOutcome(jobId, job, wait, signal, graceAfterStopMs);
    },
  );
}

async function awaitOutcome(
  jobId: string,
  job: Job,
  wait: JobWait,
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
  try {
    return await Promise.race([wait.finished, aborted]);
  } catch (error) {
    if (signal.aborted) throw stopped(signal);
    if (error instanceof RlmError && error.code === 'redis_unavailable') throw error;
    throw new RlmError(
      'internal',
      `job ${jobId} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    wait.cancel();
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    aborted.catch(() => undefined);
  }
}

const NOT_STARTED = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

function stopped(signal: AbortSignal): RlmError {
  return new RlmError(
    'cancelled',
    `the request was stopped (${String(signal.reason ?? 'cancelled')})`,
  );
}
