/**
 * Ports that cluster mode implements over Redis and embedded mode implements
 * in memory. Every method states its failure semantics.
 */
import type { RequestRuntime } from './budget/request-runtime.ts';
import type { RootScope } from './jobs/job-catalog.ts';
import type { CompletionResponse, StepResult } from './jobs/task-schemas.ts';

/** Content-addressed blobs (contexts, large prompts, REPL snapshots), keyed by sha256 hex of their UTF-8 text. */
export interface BlobStore {
  /** Stores `text` once (a second put of the same text writes nothing) and returns its sha256 hex. */
  put(text: string): Promise<string>;
  /** Returns undefined when no blob has this hash. */
  get(hash: string): Promise<string | undefined>;
  has(hash: string): Promise<boolean>;
}

/**
 * Joins identical LLM calls in flight. The first caller of a key runs
 * `compute`; callers arriving while it runs get its result (`joined: true`).
 * If the running computation fails, joiners run `compute` themselves.
 */
export interface CallCoalescer {
  /**
   * True when the coalescer itself writes each computed result where the
   * caller's ResultCache reads it (the Redis driver must, for joiners in other
   * processes): the caller then skips its own write, one command per call.
   */
  readonly storesResults?: boolean;
  /**
   * True when `coalesce` itself looks for a stored result in the same atomic
   * step that takes the lock, and returns it with `cached: true`: the caller
   * then skips its own cache lookup. (A separate lookup leaves a window in
   * which another process stores the result and frees the lock, and the call
   * is paid for twice.)
   */
  readonly readsResults?: boolean;
  coalesce(
    key: string,
    compute: () => Promise<CompletionResponse>,
  ): Promise<{ readonly response: CompletionResponse; readonly joined: boolean; readonly cached?: boolean }>;
}

/**
 * Per-model admission under provider rate limits (requests and tokens per
 * minute), shared by every process. Resolves when the call may start;
 * rejects with a `cancelled` RlmError when the signal aborts first.
 */
export interface RateGate {
  admit(model: string, estimatedTokens: number, signal: AbortSignal): Promise<void>;
}

export interface RateLimits {
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
}

/** Stop flags of root requests, visible to every process. */
export interface CancellationBus {
  /** Records the first stop reason of `rootId` and tells every watcher. Never throws on a repeated stop. */
  stop(rootId: string, reason: string): Promise<void>;
  /** The recorded stop reason, if any. */
  reason(rootId: string): Promise<string | undefined>;
  /** An AbortSignal that aborts (with the reason) when `rootId` is stopped anywhere. Call `close` when done. */
  watch(rootId: string): { readonly signal: AbortSignal; close(): void };
}

/** Builds the runtime of a root request in any process, from the scope that travels in its jobs. */
export interface RuntimeFactory {
  open(scope: RootScope): RequestRuntime & { close(): void };
}

/**
 * What a finished REPL step left behind: its result and the hash of the
 * snapshot blob of the REPL state after it. Recorded before the step's job
 * is acknowledged, so a re-delivered step returns the recorded result
 * instead of running twice.
 */
export interface StepRecord {
  readonly result: StepResult;
  readonly snapshotHash: string;
}

export interface StepRecordStore {
  /** Undefined when the step has not finished yet. */
  load(sessionId: string, step: number): Promise<StepRecord | undefined>;
  save(sessionId: string, step: number, record: StepRecord): Promise<void>;
}

/**
 * Where a conversation's REPL state waits between its questions (cluster mode, issue 16): the hash
 * of the snapshot blob after its latest step, so the next question's first step restores it on any
 * worker. Entries expire (the conversation's idle expiry); `delete` is `conversation.close()`.
 */
export interface ConversationStateStore {
  /** Undefined when the conversation has no state (no step ran yet, it expired, or it was closed). */
  load(conversationId: string): Promise<string | undefined>;
  /** Records the latest snapshot and renews the expiry. */
  save(conversationId: string, snapshotHash: string): Promise<void>;
  delete(conversationId: string): Promise<void>;
}
