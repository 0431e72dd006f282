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
): Promise<unknown> {
  if (signal.aborted) throw stopped(signal);
  const events = await queues.eventsOf(queue);
  const job = await queue.add(queue.name, data, { ...options, jobId });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      // Waiting jobs are removed so no worker picks them up; active ones see the stop flag themselves.
      job.remove().catch(() => undefined);
      reject(stopped(signal));
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

function stopped(signal: AbortSignal): RlmError {
  return new RlmError(
    'cancelled',
    `the request was stopped (${String(signal.reason ?? 'cancelled')})`,
  );
}
