/**
 * Every task and result that crosses a process boundary, declared once as a
 * zod schema whose inferred type carries the same name: the schema is the
 * type. Ports (dispatch.ts), the session loop, the REPL and the job catalog
 * all use these. Enums come from the one list of stop reasons and of error
 * codes. Objects and arrays infer as readonly: tasks and results are values.
 */
import { z } from 'zod';
import { ToolSpec } from '../tools/tool-spec.ts';
import { ERROR_CODES } from '../error-codes.ts';
import { ReplLanguage } from '../protocol.ts';
import type { ContextValue } from '../protocol.ts';
import { STOP_REASONS } from '../stop-reason.ts';

const count = z.number().int().nonnegative();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const TokenUsage = z
  .object({
    inputTokens: count,
    outputTokens: count,
    /** Input tokens the provider served from its prefix cache. */
    cachedInputTokens: count,
  })
  .readonly();
export type TokenUsage = z.infer<typeof TokenUsage>;

/** What provider calls of a subtree spent: cache hits and joined calls count nothing. */
export const Spend = z.object({ usage: TokenUsage, costUsd: z.number().nonnegative(), calls: count }).readonly();
export type Spend = z.infer<typeof Spend>;

export const ChatRole = z.enum(['system', 'user', 'assistant']);
export type ChatRole = z.infer<typeof ChatRole>;

export const ChatMessage = z.object({ role: ChatRole, content: z.string() }).readonly();
export type ChatMessage = z.infer<typeof ChatMessage>;

export const CompletionRequest = z
  .object({
    model: z.string(),
    messages: z.array(ChatMessage).readonly(),
    temperature: z.number().optional(),
    /** Cap on output tokens sent to the provider. */
    maxTokens: z.number().int().positive().optional(),
  })
  .readonly();
export type CompletionRequest = z.infer<typeof CompletionRequest>;

export const CompletionResponse = z
  .object({
    /** The reply text; empty when the provider returned null or empty content. */
    content: z.string(),
    usage: TokenUsage,
    model: z.string(),
    finishReason: z.string().optional(),
    /**
     * W3C traceparent of the span that called the provider (tracing only). Kept with cached
     * results so that a cache hit or a joined call can link to the span that produced it.
     */
    producerTraceparent: z.string().optional(),
  })
  .readonly();
export type CompletionResponse = z.infer<typeof CompletionResponse>;

/** An error as data, safe to put in a job payload or a JSON result. */
export const SerializedError = z
  .object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    retryable: z.boolean(),
    status: z.number().optional(),
  })
  .readonly();
export type SerializedError = z.infer<typeof SerializedError>;

/** What a session is told about its context without seeing it (context-metadata.ts builds it). */
export const ContextMetadata = z
  .object({
    type: z.string(),
    /** Characters of the context (for arrays and JSON: of its serialised form). */
    totalChars: count,
    /** Number of items for arrays, keys for objects. */
    items: count.optional(),
    /** Lengths of the first array items, when the context is an array. */
    itemLengths: z.array(count).readonly().optional(),
    preview: z.string(),
    /** The last characters of a long context (of the last array item): where a drop-in prompt's request usually is. */
    tail: z.string().optional(),
  })
  .readonly();
export type ContextMetadata = z.infer<typeof ContextMetadata>;

/** A context stored by content hash: 'json' when it is an array or JSON value serialised as JSON text. */
export const BlobContextRef = z.object({ kind: z.literal('blob'), hash: sha256, format: z.enum(['text', 'json']) }).readonly();
export type BlobContextRef = z.infer<typeof BlobContextRef>;

/**
 * Where a session's context lives: inline in-process, or (cluster) a content
 * hash. Inline values never travel in a job (the codec stores them as blobs),
 * so their schema accepts any value the type allows.
 */
export const ContextRef = z.union([
  z.object({ kind: z.literal('inline'), value: z.custom<ContextValue>((value) => value !== undefined) }).readonly(),
  BlobContextRef,
]);
export type ContextRef = z.infer<typeof ContextRef>;

/** One earlier question of a conversation and the answer it got (issue 16). */
export const ConversationExchange = z.object({ question: z.string(), answer: z.string() }).readonly();
export type ConversationExchange = z.infer<typeof ConversationExchange>;

/**
 * A question asked inside a conversation (`rlm.conversation(...)`): its REPL outlives the session.
 * The REPL is named by `conversationId`, not by the session id (every question is its own request
 * and session); the contexts after the first and the earlier exchanges travel with every task.
 */
export const ConversationScope = z
  .object({
    conversationId: z.string(),
    /** Contexts added after the first one, in order: `context_1`, `context_2`, ... in the REPL. */
    contexts: z.array(ContextRef).readonly(),
    /** Their metadata, for the first message (the loop never loads a context). */
    contextMetadata: z.array(ContextMetadata).readonly(),
    /** Earlier questions and their final answers, oldest first (the REPL variable `history`). */
    history: z.array(ConversationExchange).readonly(),
  })
  .readonly();
export type ConversationScope = z.infer<typeof ConversationScope>;

/** Settings that travel with every task of a request. */
export const SessionSettings = z
  .object({
    model: z.string(),
    subModel: z.string(),
    maxDepth: z.number().int().positive(),
    maxIterations: z.number().int().positive(),
    stepTimeoutMs: z.number().positive(),
    outputLimitChars: z.number().int().positive(),
    maxOutputTokens: z.number().int().positive(),
    temperature: z.number().optional(),
    /** Record prompts, code and completions on spans (the user opted in); off when absent. */
    recordContent: z.boolean().optional(),
    /** False removes llm_query / rlm_query from the prompt and refuses them in the REPL (the REPL-only ablation); absent means true. */
    subcalls: z.boolean().optional(),
    /** Cap on the request's pending sub-calls (request-capacity.ts); the default when absent. */
    maxPendingSubcalls: z.number().int().positive().optional(),
    /** Largest final answer accepted, in characters; the default (16 MiB) when absent. */
    maxAnswerChars: z.number().int().positive().optional(),
    /** Total memory limit of the request's live REPL sandboxes, MB; the default when absent. */
    maxSandboxMemoryMb: z.number().int().positive().optional(),
    /** The REPL language; absent means JavaScript. */
    repl: ReplLanguage.optional(),
    /** Caller tools the REPL offers as functions (their handlers stay with the caller); none when absent. */
    tools: z.array(ToolSpec).optional(),
    /** The root model's context window in tokens: the conversation is compacted before it would overflow; never when absent. */
    contextWindow: z.number().int().positive().optional(),
  })
  .readonly();
export type SessionSettings = z.infer<typeof SessionSettings>;

export const SessionTask = z
  .object({
    sessionId: z.string(),
    parentSessionId: z.string().optional(),
    depth: count,
    context: ContextRef,
    /** Required for blob contexts (the loop never loads the context itself); computed from inline ones. */
    contextMetadata: ContextMetadata.optional(),
    query: z.string(),
    settings: SessionSettings,
    conversation: ConversationScope.optional(),
  })
  .readonly();
export type SessionTask = z.infer<typeof SessionTask>;

export const StopReason = z.enum(STOP_REASONS);

export const SessionOutcome = z
  .object({
    answer: z.string(),
    stopReason: StopReason,
    iterations: count,
    error: SerializedError.optional(),
    /** The session's own turns plus everything its steps' sub-calls and child sessions spent. */
    spend: Spend.optional(),
  })
  .readonly();
export type SessionOutcome = z.infer<typeof SessionOutcome>;

export const LlmCallTask = z
  .object({
    /** Unique within the request and stable across retries: root turns `<session>.t<n>`, sub-calls `<session>.<step>.<n>`. */
    callId: z.string(),
    sessionId: z.string(),
    depth: count,
    /** Root turns are never served from the result cache; sub-calls may be. */
    purpose: z.enum(['root', 'subcall']),
    request: CompletionRequest,
  })
  .readonly();
export type LlmCallTask = z.infer<typeof LlmCallTask>;

export const LlmCallOutcome = z
  .object({
    response: CompletionResponse,
    /** Answered by the result cache or by joining an identical in-flight call. */
    cacheHit: z.boolean(),
    /** What this call cost (0 when the cache or another call answered it); absent from older workers. */
    costUsd: z.number().nonnegative().optional(),
  })
  .readonly();
export type LlmCallOutcome = z.infer<typeof LlmCallOutcome>;

export const StepTask = z
  .object({
    sessionId: z.string(),
    depth: count,
    step: z.number().int().positive(),
    code: z.string(),
    context: ContextRef,
    settings: SessionSettings,
    conversation: ConversationScope.optional(),
  })
  .readonly();
export type StepTask = z.infer<typeof StepTask>;

/** A user variable living in the REPL, as shown to the model after each step. */
export const VariableInfo = z
  .object({
    name: z.string(),
    /** `string`, `number`, `array`, `object`, `function`, ... */
    type: z.string(),
    /** Characters for strings, elements for arrays, keys for objects; undefined otherwise. */
    size: z.number().optional(),
  })
  .readonly();
export type VariableInfo = z.infer<typeof VariableInfo>;

/** An error raised by user code, carried as data. */
export const StepError = z.object({ name: z.string(), message: z.string() }).readonly();
export type StepError = z.infer<typeof StepError>;

/** Why a REPL lost its state during a step. */
/** Why a REPL lost its state during a step (`crashed`: the Python sandbox's interpreter died, e.g. at a refused system call). */
export const ReplResetReason = z.enum(['timeout', 'memory', 'cancelled', 'crashed']);
export type ReplResetReason = z.infer<typeof ReplResetReason>;

/** What one REPL step produced. */
export const StepResult = z
  .object({
    /** Everything printed (print/console.*), possibly capped by the sandbox (see outputTotalChars). */
    output: z.string(),
    /** Characters printed in total, including any the sandbox did not keep. */
    outputTotalChars: count,
    /** Present when the code threw, failed to parse, or was stopped. */
    error: StepError.optional(),
    /** Present when the step declared a final answer (FINAL, FINAL_VAR, or answer.ready). */
    final: z.object({ value: z.string() }).readonly().optional(),
    /** `answer.content` after the step, stringified: the best partial answer so far. */
    partialAnswer: z.string().optional(),
    /** User variables after the step. */
    variables: z.array(VariableInfo).readonly(),
    /** Sub-calls still pending when the code finished (a forgotten await); the engine waited for them. */
    pendingAwaited: count,
    /** Set when the isolate was disposed during the step; all variables were lost. */
    reset: ReplResetReason.optional(),
    durationMs: z.number().nonnegative(),
    /** What the step's sub-calls spent, child sessions' subtrees included. */
    subcallSpend: Spend.optional(),
  })
  .readonly();
export type StepResult = z.infer<typeof StepResult>;
