/**
 * The BullMQ driver of the Dispatcher port. Every call becomes a job on the
 * queue of its kind and depth; the caller waits for the job's outcome. Used
 * by session loops (orchestrators) and by REPL steps (workers) alike.
 */
import {
  describeContext,
  deserializeError,
  JOB_IDS,
  JOB_RETENTION,
  JOB_SCHEMA_VERSION,
  LlmJobResult,
  RlmError,
  serializeError,
  SessionJobResult,
  StepJobResult,
} from '@rlm/shared';
import type {
  BlobStore,
  ContextValue,
  Dispatcher,
  LlmCallOutcome,
  LlmCallTask,
  RequestRuntime,
  RootScope,
  SessionOutcome,
  SessionTask,
  StepResult,
  StepTask,
} from '@rlm/shared';
import { addAndAwait } from './await-job.ts';
import type { QueueSet } from './queue-set.ts';
import { toWireMessages } from './wire-messages.ts';

export interface BullmqDispatcherOptions {
  readonly queues: QueueSet;
  readonly blobs: BlobStore;
}

/** A stopped step aborts within milliseconds on its worker; its result carries the partial answer. */
const STEP_GRACE_AFTER_STOP_MS = 5_000;
/** A stopped session winds down (its step's grace included) and returns its best partial answer. */
const SESSION_GRACE_AFTER_STOP_MS = 3 * STEP_GRACE_AFTER_STOP_MS;

export class BullmqDispatcher implements Dispatcher {
  private readonly queues: QueueSet;
  private readonly blobs: BlobStore;

  constructor(options: BullmqDispatcherOptions) {
    this.queues = options.queues;
    this.blobs = options.blobs;
  }

  async complete(task: LlmCallTask, runtime: RequestRuntime): Promise<LlmCallOutcome> {
    const data = {
      v: JOB_SCHEMA_VERSION,
      root: scopeOf(runtime),
      callId: task.callId,
      sessionId: task.sessionId,
      depth: task.depth,
      purpose: task.purpose,
      model: task.request.model,
      ...(task.request.temperature === undefined ? {} : { temperature: task.request.temperature }),
      ...(task.request.maxTokens === undefined ? {} : { maxTokens: task.request.maxTokens }),
      messages: await toWireMessages(task.request.messages, this.blobs),
    };
    const raw = await addAndAwait(
      this.queues,
      this.queues.llm,
      JOB_IDS.llm(data),
      data,
      runtime.signal,
      JOB_RETENTION,
    );
    const outcome = LlmJobResult.parse(raw);
    if (!outcome.ok) throw deserializeError(outcome.error);
    return outcome.value;
  }

  async executeStep(task: StepTask, runtime: RequestRuntime): Promise<StepResult> {
    if (task.context.kind !== 'blob')
      throw new RlmError('internal', 'cluster steps need a blob context');
    const data = {
      v: JOB_SCHEMA_VERSION,
      root: scopeOf(runtime),
      sessionId: task.sessionId,
      depth: task.depth,
      step: task.step,
      code: task.code,
      contextHash: task.context.hash,
      contextFormat: task.context.format,
      settings: task.settings,
    };
    const queue = this.queues.step(task.depth);
    const raw = await addAndAwait(
      this.queues,
      queue,
      JOB_IDS.step(data),
      data,
      runtime.signal,
      JOB_RETENTION,
      STEP_GRACE_AFTER_STOP_MS,
    );
    const outcome = StepJobResult.parse(raw);
    if (!outcome.ok) throw deserializeError(outcome.error);
    return outcome.value;
  }

  async runSession(task: SessionTask, runtime: RequestRuntime): Promise<SessionOutcome> {
    try {
      const { hash, format, metadata } = await this.storeContext(task);
      const data = {
        v: JOB_SCHEMA_VERSION,
        root: scopeOf(runtime),
        sessionId: task.sessionId,
        ...(task.parentSessionId === undefined ? {} : { parentSessionId: task.parentSessionId }),
        depth: task.depth,
        contextHash: hash,
        contextFormat: format,
        contextMetadata: metadata,
        query: task.query,
        settings: task.settings,
      };
      const queue = this.queues.session(task.depth);
      const raw = await addAndAwait(
        this.queues,
        queue,
        JOB_IDS.session(data),
        data,
        runtime.signal,
        JOB_RETENTION,
        SESSION_GRACE_AFTER_STOP_MS,
      );
      const outcome = SessionJobResult.parse(raw);
      if (!outcome.ok)
        return { answer: '', stopReason: 'error', iterations: 0, error: outcome.error };
      return outcome.value;
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

  private async storeContext(
    task: SessionTask,
  ): Promise<{
    hash: string;
    format: 'text' | 'json';
    metadata: NonNullable<SessionTask['contextMetadata']>;
  }> {
    if (task.context.kind === 'blob') {
      if (task.contextMetadata === undefined)
        throw new RlmError('internal', 'a blob context needs its metadata');
      return {
        hash: task.context.hash,
        format: task.context.format,
        metadata: task.contextMetadata,
      };
    }
    return {
      ...(await storeContextValue(this.blobs, task.context.value)),
      metadata: task.contextMetadata ?? describeContext(task.context.value),
    };
  }
}

/** Stores a context once by content hash: strings as text, anything else as JSON. */
export async function storeContextValue(
  blobs: BlobStore,
  value: ContextValue,
): Promise<{ hash: string; format: 'text' | 'json' }> {
  if (typeof value === 'string') return { hash: await blobs.put(value), format: 'text' };
  return { hash: await blobs.put(JSON.stringify(value)), format: 'json' };
}

function scopeOf(runtime: RequestRuntime): RootScope {
  if (runtime.scope === undefined)
    throw new RlmError('internal', 'the BullMQ dispatcher needs a cluster request runtime');
  return runtime.scope;
}
