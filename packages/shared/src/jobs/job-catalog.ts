/**
 * The one catalog of queue jobs (cluster mode): for each job kind, its queue,
 * payload and result schemas, deterministic job id, retention, the grace a
 * stopped waiter gives it, and its lock settings. A payload is a versioned
 * envelope around the kind's task in wire form (task-schemas.ts, with long
 * messages and contexts replaced by blob hashes: payloads carry ids and
 * hashes, never megabytes); a result is the kind's outcome or an error as
 * data (jobs complete with errors; only a dead process makes BullMQ
 * re-deliver). wire-codec.ts converts tasks to and from their wire form.
 */
import { z } from 'zod';
import { ModelPrice } from '../pricing.ts';
import {
  BlobContextRef,
  ChatRole,
  CompletionRequest,
  ContextMetadata,
  LlmCallOutcome,
  LlmCallTask,
  SerializedError,
  SessionOutcome,
  SessionTask,
  StepResult,
  StepTask,
} from './task-schemas.ts';

/** Bumped when a payload's shape changes: 2 nests the task (`{v, root, task}`) instead of flattening it. */
export const JOB_SCHEMA_VERSION = 2;

/** The request-wide facts every job needs to rebuild the request's runtime in any process. */
export const RootScope = z
  .object({
    rootId: z.string().min(1),
    limits: z.object({ maxTokens: z.number().int().positive().optional(), maxCostUsd: z.number().positive().optional() }).readonly(),
    /** Global cap on concurrent LLM calls of the request. */
    concurrency: z.number().int().positive(),
    /** Epoch milliseconds after which the request is out of time. */
    deadlineAt: z.number().int().positive().optional(),
    /** The submitter listens: processes append the request's events to its Redis stream. */
    events: z.boolean().optional(),
    /** The submitter's prices of the request's models (--price, RLM_PRICES): a cost cap holds on every worker. */
    prices: z.record(z.string(), ModelPrice).optional(),
    /** The submitter serves the request's caller tools: workers send tool calls back to it over Redis. */
    tools: z.boolean().optional(),
  })
  .readonly();
export type RootScope = z.infer<typeof RootScope>;

/** W3C trace context of the span that enqueued the job (`{traceparent}`); absent when tracing is off. */
export const TraceCarrier = z.record(z.string(), z.string());

/** A chat message whose long content is replaced by the hash of a blob. */
export const WireMessage = z.union([
  z.object({ role: ChatRole, content: z.string() }),
  z.object({ role: ChatRole, blob: z.string().regex(/^[0-9a-f]{64}$/) }),
]);
export type WireMessage = z.infer<typeof WireMessage>;

/** Messages longer than this travel as blobs. */
export const INLINE_MESSAGE_LIMIT_CHARS = 8 * 1024;

export const WireLlmCallTask = LlmCallTask.unwrap().extend({
  request: CompletionRequest.unwrap().extend({ messages: z.array(WireMessage) }),
});
export type WireLlmCallTask = z.infer<typeof WireLlmCallTask>;

/** Steps run where the context is a blob: workers load it by hash. */
export const WireStepTask = StepTask.unwrap().extend({ context: BlobContextRef });
export type WireStepTask = z.infer<typeof WireStepTask>;

/** Sessions never load their context: its metadata travels with it. */
export const WireSessionTask = SessionTask.unwrap().extend({ context: BlobContextRef, contextMetadata: ContextMetadata });
export type WireSessionTask = z.infer<typeof WireSessionTask>;

export const JOB_KINDS = ['llm', 'step', 'session'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** Each kind's task as the session loop and the REPL see it. */
export interface TaskOf {
  llm: LlmCallTask;
  step: StepTask;
  session: SessionTask;
}
/** Each kind's task as it travels in a job. */
export interface WireTaskOf {
  llm: WireLlmCallTask;
  step: WireStepTask;
  session: WireSessionTask;
}
/** Each kind's successful result. */
export interface ResultOf {
  llm: LlmCallOutcome;
  step: StepResult;
  session: SessionOutcome;
}

export interface JobPayload<Task> {
  readonly v: typeof JOB_SCHEMA_VERSION;
  readonly root: RootScope;
  readonly task: Task;
  readonly trace?: Record<string, string> | undefined;
}

/** Jobs never fail for expected errors: they complete with an outcome, and errors cross as data. */
export type JobOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SerializedError };

function jobPayload<T extends z.ZodType>(task: T) {
  return z.object({ v: z.literal(JOB_SCHEMA_VERSION), root: RootScope, task, trace: TraceCarrier.optional() });
}

function jobOutcome<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: SerializedError }),
  ]);
}

export interface JobSpec<Task, Result> {
  /** Per-depth queues for sessions and steps (docs/decisions: no deadlock at any depth); one `llm` queue. */
  queueName(depth: number): string;
  readonly payload: z.ZodType<JobPayload<Task>>;
  readonly result: z.ZodType<JobOutcome<Result>>;
  /** Deterministic: a re-run of the same work adds no second job. BullMQ ids may not contain ':'. */
  jobId(task: Task): string;
  /** Finished jobs stay long enough for a resumed parent to find its children's results. */
  readonly retention: typeof JOB_RETENTION;
  /** After a stop, how long a waiter keeps waiting for a running job's own outcome (its partial answer). */
  readonly graceAfterStopMs: number;
  /** A job whose process died (lock expired) is re-run this many times, then failed. */
  readonly maxStalledCount: number;
}

/**
 * The last 100,000 finished jobs per queue. A count and no age: BullMQ
 * enforces each with its own commands on every completion, and the count
 * alone bounds memory (docs/decisions/2026-11-29-sub-call-cost.md).
 */
export const JOB_RETENTION = {
  removeOnComplete: { count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** A stopped step aborts within milliseconds on its worker; its result carries the partial answer. */
const STEP_GRACE_AFTER_STOP_MS = 5_000;

export const JOB_CATALOG: { readonly [K in JobKind]: JobSpec<WireTaskOf[K], ResultOf[K]> } = {
  llm: {
    queueName: () => 'llm',
    payload: jobPayload(WireLlmCallTask),
    result: jobOutcome(LlmCallOutcome),
    jobId: (task) => `llm.${task.callId}`,
    retention: JOB_RETENTION,
    graceAfterStopMs: 0,
    maxStalledCount: 3,
  },
  step: {
    queueName: (depth) => `step-d${depth}`,
    payload: jobPayload(WireStepTask),
    result: jobOutcome(StepResult),
    jobId: (task) => `step.${task.sessionId}.${task.step}`,
    retention: JOB_RETENTION,
    graceAfterStopMs: STEP_GRACE_AFTER_STOP_MS,
    maxStalledCount: 3,
  },
  session: {
    queueName: (depth) => `session-d${depth}`,
    payload: jobPayload(WireSessionTask),
    result: jobOutcome(SessionOutcome),
    jobId: (task) => `session.${task.sessionId}`,
    retention: JOB_RETENTION,
    // A stopped session winds down (its step's grace included) and returns its best partial answer.
    graceAfterStopMs: 3 * STEP_GRACE_AFTER_STOP_MS,
    maxStalledCount: 3,
  },
};

/** Depth queues created per process: sessions never go deeper than the engine's depth cap. */
export const MAX_QUEUE_DEPTH = 8;
