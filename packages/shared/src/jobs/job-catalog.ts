/**
 * The one catalog of queue jobs (cluster mode). Every payload and result is a
 * versioned zod schema; the table at the bottom maps each job kind to its
 * queue, schemas, deterministic job id and retention. Payloads carry ids and
 * content hashes, never megabytes: contexts and long messages travel as blobs.
 */
import { z } from 'zod';
import { ModelPrice } from '../pricing.ts';

export const JOB_SCHEMA_VERSION = 1;

/** The request-wide facts every job needs to rebuild the request's runtime in any process. */
export const RootScope = z.object({
  rootId: z.string().min(1),
  limits: z.object({ maxTokens: z.number().int().positive().optional(), maxCostUsd: z.number().positive().optional() }),
  /** Global cap on concurrent LLM calls of the request. */
  concurrency: z.number().int().positive(),
  /** Epoch milliseconds after which the request is out of time. */
  deadlineAt: z.number().int().positive().optional(),
  /** The submitter listens: processes append the request's events to its Redis stream. */
  events: z.boolean().optional(),
  /** The submitter's prices of the request's models (--price, RLM_PRICES): a cost cap holds on every worker. */
  prices: z.record(z.string(), ModelPrice).optional(),
});
export type RootScope = z.infer<typeof RootScope>;

export const SessionSettingsSchema = z.object({
  model: z.string(),
  subModel: z.string(),
  maxDepth: z.number().int().positive(),
  maxIterations: z.number().int().positive(),
  stepTimeoutMs: z.number().positive(),
  outputLimitChars: z.number().int().positive(),
  maxOutputTokens: z.number().int().positive(),
  temperature: z.number().optional(),
  recordContent: z.boolean().optional(),
  subcalls: z.boolean().optional(),
});

/** W3C trace context of the span that enqueued the job (`{traceparent}`); absent when tracing is off. */
export const TraceCarrierSchema = z.record(z.string(), z.string());

/** A chat message whose long content is replaced by the hash of a blob. */
export const WireMessage = z.union([
  z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }),
  z.object({ role: z.enum(['system', 'user', 'assistant']), blob: z.string().regex(/^[0-9a-f]{64}$/) }),
]);
export type WireMessage = z.infer<typeof WireMessage>;

export const LlmJobData = z.object({
  v: z.literal(JOB_SCHEMA_VERSION),
  root: RootScope,
  callId: z.string(),
  sessionId: z.string(),
  depth: z.number().int().nonnegative(),
  purpose: z.enum(['root', 'subcall']),
  model: z.string(),
  temperature: z.number().optional(),
  maxTokens: z.number().int().positive().optional(),
  messages: z.array(WireMessage),
  trace: TraceCarrierSchema.optional(),
});
export type LlmJobData = z.infer<typeof LlmJobData>;

const ContextMetadataSchema = z.object({
  type: z.string(),
  totalChars: z.number().int().nonnegative(),
  items: z.number().int().nonnegative().optional(),
  itemLengths: z.array(z.number().int().nonnegative()).optional(),
  preview: z.string(),
  tail: z.string().optional(),
});

export const StepJobData = z.object({
  v: z.literal(JOB_SCHEMA_VERSION),
  root: RootScope,
  sessionId: z.string(),
  depth: z.number().int().nonnegative(),
  step: z.number().int().positive(),
  code: z.string(),
  contextHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** 'json' when the context is an array or JSON value serialised as JSON text. */
  contextFormat: z.enum(['text', 'json']),
  settings: SessionSettingsSchema,
  trace: TraceCarrierSchema.optional(),
});
export type StepJobData = z.infer<typeof StepJobData>;

export const SessionJobData = z.object({
  v: z.literal(JOB_SCHEMA_VERSION),
  root: RootScope,
  sessionId: z.string(),
  parentSessionId: z.string().optional(),
  depth: z.number().int().nonnegative(),
  contextHash: z.string().regex(/^[0-9a-f]{64}$/),
  contextFormat: z.enum(['text', 'json']),
  contextMetadata: ContextMetadataSchema,
  query: z.string(),
  settings: SessionSettingsSchema,
  trace: TraceCarrierSchema.optional(),
});
export type SessionJobData = z.infer<typeof SessionJobData>;

const SerializedErrorSchema = z.object({
  code: z.enum(['config_invalid', 'llm_http', 'llm_network', 'llm_empty', 'budget_exhausted', 'cancelled', 'sandbox', 'redis_unavailable', 'internal']),
  message: z.string(),
  retryable: z.boolean(),
  status: z.number().optional(),
});

/** Jobs never fail for expected errors: they complete with an outcome, and errors cross as data. */
export function jobOutcome<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: SerializedErrorSchema }),
  ]);
}

const UsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cachedInputTokens: z.number().int().nonnegative(),
});

export const LlmJobResult = jobOutcome(
  z.object({
    response: z.object({ content: z.string(), model: z.string(), finishReason: z.string().optional(), usage: UsageSchema }),
    cacheHit: z.boolean(),
    costUsd: z.number().nonnegative().optional(),
  }),
);
export type LlmJobResult = z.infer<typeof LlmJobResult>;

export const StepJobResult = jobOutcome(
  z.object({
    output: z.string(),
    outputTotalChars: z.number().int().nonnegative(),
    error: z.object({ name: z.string(), message: z.string() }).optional(),
    final: z.object({ value: z.string() }).optional(),
    partialAnswer: z.string().optional(),
    variables: z.array(z.object({ name: z.string(), type: z.string(), size: z.number().optional() })),
    pendingAwaited: z.number().int().nonnegative(),
    reset: z.enum(['timeout', 'memory', 'cancelled']).optional(),
    durationMs: z.number().nonnegative(),
  }),
);
export type StepJobResult = z.infer<typeof StepJobResult>;

export const SessionJobResult = jobOutcome(
  z.object({
    answer: z.string(),
    stopReason: z.enum(['final', 'max_iterations', 'max_tokens', 'max_cost', 'timeout', 'cancelled', 'error']),
    iterations: z.number().int().nonnegative(),
    error: SerializedErrorSchema.optional(),
  }),
);
export type SessionJobResult = z.infer<typeof SessionJobResult>;

/** Queue of each job kind; per-depth queues for sessions and steps (see docs/decisions: no deadlock at any depth). */
export const QUEUE_NAMES = {
  llm: () => 'llm',
  step: (depth: number) => `step-d${depth}`,
  session: (depth: number) => `session-d${depth}`,
} as const;

/** Deterministic job ids: a re-run of the same work adds no second job. BullMQ ids may not contain ':'. */
export const JOB_IDS = {
  llm: (data: Pick<LlmJobData, 'callId'>) => `llm.${data.callId}`,
  step: (data: Pick<StepJobData, 'sessionId' | 'step'>) => `step.${data.sessionId}.${data.step}`,
  session: (data: Pick<SessionJobData, 'sessionId'>) => `session.${data.sessionId}`,
} as const;

/** Finished jobs stay long enough for a resumed parent to find its children's results. */
export const JOB_RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** Messages longer than this travel as blobs. */
export const INLINE_MESSAGE_LIMIT_CHARS = 8 * 1024;

/** Depth queues created per process: sessions never go deeper than the engine's depth cap. */
export const MAX_QUEUE_DEPTH = 8;
