/**
 * The dispatcher port: how the session loop and the REPL hand work to
 * whoever runs it. Two drivers implement it: embedded (in-process) and, for
 * cluster mode, BullMQ. Neither the session loop nor the workers know which
 * one they run under.
 */
import type { RequestRuntime } from './budget/request-runtime.ts';
import type { SerializedError } from './errors.ts';
import type { ContextMetadata } from './context-metadata.ts';
import type { ChatMessage, CompletionRequest, CompletionResponse } from './llm.ts';
import type { ContextValue, ReplLanguage, StepResult } from './protocol.ts';
import type { StopReason } from './stop-reason.ts';

/** Where a session's context lives: inline in-process, or (cluster) a content hash. */
export type ContextRef =
  | { readonly kind: 'inline'; readonly value: ContextValue }
  | { readonly kind: 'blob'; readonly hash: string; readonly format: 'text' | 'json' };

/** Settings that travel with every task of a request. */
export interface SessionSettings {
  readonly model: string;
  readonly subModel: string;
  readonly maxDepth: number;
  readonly maxIterations: number;
  readonly stepTimeoutMs: number;
  readonly outputLimitChars: number;
  readonly maxOutputTokens: number;
  readonly temperature?: number;
  /** Record prompts, code and completions on spans (the user opted in); off when absent. */
  readonly recordContent?: boolean;
  /** False removes llm_query / rlm_query from the prompt and refuses them in the REPL (the REPL-only ablation); absent means true. */
  readonly subcalls?: boolean;
  /** The REPL language; absent means JavaScript. */
  readonly repl?: ReplLanguage;
}

export interface SessionTask {
  readonly sessionId: string;
  readonly parentSessionId?: string;
  readonly depth: number;
  readonly context: ContextRef;
  /** Required for blob contexts (the loop never loads the context itself); computed from inline ones. */
  readonly contextMetadata?: ContextMetadata;
  readonly query: string;
  readonly settings: SessionSettings;
}

/** A session's progress after a finished turn: enough for another process to resume it. */
export interface SessionCheckpoint {
  readonly messages: readonly ChatMessage[];
  readonly iterations: number;
  readonly steps: number;
  readonly partialAnswer: string;
}

/** Where session loops record their checkpoints. Embedded mode keeps none. */
export interface SessionStore {
  /** Undefined when the session has no checkpoint yet. */
  load(sessionId: string): Promise<SessionCheckpoint | undefined>;
  save(sessionId: string, checkpoint: SessionCheckpoint): Promise<void>;
}

export interface SessionOutcome {
  readonly answer: string;
  readonly stopReason: StopReason;
  readonly iterations: number;
  readonly error?: SerializedError;
}

export interface LlmCallTask {
  /** Unique within the request and stable across retries: root turns `<session>.t<n>`, sub-calls `<session>.<step>.<n>`. */
  readonly callId: string;
  readonly sessionId: string;
  readonly depth: number;
  /** Root turns are never served from the result cache; sub-calls may be. */
  readonly purpose: 'root' | 'subcall';
  readonly request: CompletionRequest;
}

export interface LlmCallOutcome {
  readonly response: CompletionResponse;
  /** Answered by the result cache or by joining an identical in-flight call. */
  readonly cacheHit: boolean;
  /** What this call cost (0 when the cache or another call answered it); absent from older workers. */
  readonly costUsd?: number;
}

export interface StepTask {
  readonly sessionId: string;
  readonly depth: number;
  readonly step: number;
  readonly code: string;
  readonly context: ContextRef;
  readonly settings: SessionSettings;
}

export interface Dispatcher {
  /** One LLM completion. Throws RlmError: budget_exhausted, cancelled, llm_http, llm_network. */
  complete(task: LlmCallTask, runtime: RequestRuntime): Promise<LlmCallOutcome>;
  /** One REPL step. Never throws for problems in user code: they are data in the result. */
  executeStep(task: StepTask, runtime: RequestRuntime): Promise<StepResult>;
  /** A child RLM session (rlm_query below the depth limit). Never throws: failures are outcomes. */
  runSession(task: SessionTask, runtime: RequestRuntime): Promise<SessionOutcome>;
  /** The session is over: free its REPL. Never throws. */
  endSession(sessionId: string): Promise<void>;
}

/** The LLM side of a worker, as the dispatcher drivers see it. */
export interface CompletionPort {
  complete(task: LlmCallTask, runtime: RequestRuntime): Promise<LlmCallOutcome>;
}

/** The REPL side of a worker: runs steps, calling back into the dispatcher for sub-calls. */
export interface StepPort {
  executeStep(task: StepTask, runtime: RequestRuntime, dispatcher: Dispatcher): Promise<StepResult>;
  endSession(sessionId: string): Promise<void>;
}

/** Caches sub-call results by content hash. Misses return undefined; failures count as misses. */
export interface ResultCache {
  get(key: string): Promise<CompletionResponse | undefined>;
  set(key: string, value: CompletionResponse): Promise<void>;
}
