/**
 * The BullMQ driver of the Dispatcher port. Every call is `enqueue(kind,
 * task, runtime)`: the task is encoded to its wire form (wire-codec), added
 * as a job on its kind's queue under its deterministic id (JOB_CATALOG), and
 * the caller waits for the job's outcome. Used by session loops
 * (orchestrators) and by REPL steps (workers) alike.
 */
import { deserializeError, encodeTask, JOB_CATALOG, JOB_SCHEMA_VERSION, RlmError, serializeError } from '@rlm/shared';
import type {
  BlobStore,
  Dispatcher,
  JobKind,
  LlmCallOutcome,
  LlmCallTask,
  RequestRuntime,
  ResultOf,
  RootScope,
  SessionOutcome,
  SessionTask,
  StepResult,
  StepTask,
  TaskOf,
} from '@rlm/shared';
import { addAndAwait } from './await-job.ts';
import type { QueueSet } from './queue-set.ts';

export interface BullmqDispatcherOptions {
  readonly queues: QueueSet;
  readonly blobs: BlobStore;
}

export class BullmqDispatcher implements Dispatcher {
  private readonly queues: QueueSet;
  private readonly blobs: BlobStore;

  constructor(options: BullmqDispatcherOptions) {
    this.queues = options.queues;
    this.blobs = options.blobs;
  }

  /** Runs one task as a job and returns its result; a job that completed with an error throws it (an RlmError). */
  async enqueue<K extends JobKind>(kind: K, task: TaskOf[K], runtime: RequestRuntime): Promise<ResultOf[K]> {
    const spec = JOB_CATALOG[kind];
    const wire = await encodeTask(kind, task, this.blobs);
    const raw = await addAndAwait(
      this.queues,
      this.queues.of(kind, task.depth),
      spec.jobId(wire),
      { v: JOB_SCHEMA_VERSION, root: scopeOf(runtime), task: wire },
      runtime.signal,
      spec.retention,
      spec.graceAfterStopMs,
    );
    const outcome = spec.result.parse(raw);
    if (!outcome.ok) throw deserializeError(outcome.error);
    return outcome.value;
  }

  complete(task: LlmCallTask, runtime: RequestRuntime): Promise<LlmCallOutcome> {
    return this.enqueue('llm', task, runtime);
  }

  executeStep(task: StepTask, runtime: RequestRuntime): Promise<StepResult> {
    return this.enqueue('step', task, runtime);
  }

  /** Never throws: a stop ends the child with the request's stop reason, anything else is an `error` outcome. */
  async runSession(task: SessionTask, runtime: RequestRuntime): Promise<SessionOutcome> {
    try {
      return await this.enqueue('session', task, runtime);
    } catch (error) {
      const stop = runtime.stopReason();
      if (stop !== undefined) return { answer: '', stopReason: stop, iterations: 0 };
      return {
        answer: '',
        stopReason: 'error',
        iterations: 0,
        error: serializeError(error),
      };
    }
  }

  endSession(): Promise<void> {
    // Snapshots and checkpoints expire with their TTL; nothing is held in this process.
    return Promise.resolve();
  }
}

function scopeOf(runtime: RequestRuntime): RootScope {
  if (runtime.scope === undefined) throw new RlmError('internal', 'the BullMQ dispatcher needs a cluster request runtime');
  return runtime.scope;
}
