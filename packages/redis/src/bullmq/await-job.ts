/**
 * Adds a job under its deterministic id and waits for its outcome, or for
 * the request to stop. A job that already exists (a resumed parent re-adding
 * its child) is not added twice: BullMQ keeps the first, and we wait on it.
 */
import { RlmError } from '@rlm/shared';
import type { JobsOptions, Queue } from 'bullmq';
import type { QueueSet } from './queue-set.ts';

export async function addAndAwait(
  queues: QueueSet,
  queue: Queue,
  jobId: string,
  data: object,
  signal: AbortSignal,
  options: JobsOptions,
  /** After a stop, how long to keep waiting for a running job's own outcome (a REPL step reports its partial answer). */
  graceAfterStopMs = 0,
): Promise<unknown> {
  if (signal.aborted) throw stopped(signal);
  const events = await queues.eventsOf(queue);
  const job = await queue.add(queue.name, data, { ...options, jobId });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      void (async () => {
        // A job nobody has started is removed so no worker picks it up. A running or finished one is
        // left alone: running ones see the stop flag themselves and finish with their partial result.
        const state = await job.getState().catch(() => 'unknown');
        if (NOT_STARTED.has(state) && (await job.remove().then(() => true, () => false))) {
          reject(stopped(signal));
          return;
        }
        setTimeout(() => reject(stopped(signal)), graceAfterStopMs).unref();
      })();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([job.waitUntilFinished(events), aborted]);
  } catch (error) {
    if (signal.aborted) throw stopped(signal);
    throw new RlmError(
      'internal',
      `job ${jobId} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
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
