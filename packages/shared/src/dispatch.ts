/**
 * The dispatcher port: how the session loop and the REPL hand work to
 * whoever runs it. Two drivers implement it: embedded (in-process) and, for
 * cluster mode, BullMQ. Neither the session loop nor the workers know which
 * one they run under.
 */
import type { RequestRuntime } from './budget/request-runtime.ts';
import type {
  ChatMessage,
  CompletionResponse,
  LlmCallOutcome,
  LlmCallTask,
  SessionOutcome,
  SessionTask,
  StepResult,
  StepTask,
} from './jobs/task-schemas.ts';

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
