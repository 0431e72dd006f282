/**
 * Progress events a caller can observe (SDK `onEvent`, CLI progress, trajectories).
 *
 * They carry enough to replay a run's decisions: every root-model reply with
 * the hash of the messages it answered, every code block with the output fed
 * back, every sub-call with its prompt and answer. Prompt, reply and code text
 * is the caller's own data: events go only to the caller's listener (and to
 * the caller's trajectory file), never to logs or spans.
 */
import type { ReplResetReason, StepError, TokenUsage } from './jobs/task-schemas.ts';
import type { StopReason } from './stop-reason.ts';

interface SessionRef {
  readonly sessionId: string;
  readonly depth: number;
}

export interface SessionStartEvent extends SessionRef {
  readonly type: 'session-start';
  readonly query: string;
  readonly model: string;
  /** The session whose `rlm_query` started this one; absent for the root. */
  readonly parentSessionId?: string;
  /** The `rlm_query` call that started this session (its callId); absent for the root. */
  readonly parentCallId?: string;
  /** Characters of this session's context. */
  readonly contextChars?: number;
}

export interface SessionEndEvent extends SessionRef {
  readonly type: 'session-end';
  readonly stopReason: StopReason;
  readonly iterations: number;
  readonly answer: string;
  /** Tokens of this session's own root-model turns; sub-calls report theirs in subcall-end and child sessions. */
  readonly usage: TokenUsage;
  readonly costUsd: number;
  readonly durationMs: number;
  readonly error?: string;
}

export interface IterationStartEvent extends SessionRef {
  readonly type: 'iteration-start';
  readonly iteration: number;
}

/** One reply of the session's root model (each turn, and the forced final-answer request). */
export interface CompletionEndEvent extends SessionRef {
  readonly type: 'completion-end';
  readonly callId: string;
  readonly iteration: number;
  /** True for the one extra request at the iteration limit. */
  readonly forcedFinal: boolean;
  readonly model: string;
  /** hashValue(messages sent): a replay checks it was asked exactly the same thing. */
  readonly requestHash: string;
  readonly messageCount: number;
  readonly reply: string;
  readonly finishReason?: string;
  readonly usage: TokenUsage;
  readonly costUsd: number;
  readonly durationMs: number;
}

export interface StepStartEvent extends SessionRef {
  readonly type: 'step-start';
  readonly iteration: number;
  readonly step: number;
  /** The code run (after TypeScript type stripping). */
  readonly code: string;
}

export interface StepEndEvent extends SessionRef {
  readonly type: 'step-end';
  readonly iteration: number;
  readonly step: number;
  /** The output as the model was shown it (truncated to the output limit). */
  readonly output: string;
  readonly outputTotalChars: number;
  readonly error?: StepError;
  readonly final?: string;
  readonly reset?: ReplResetReason;
  readonly pendingAwaited: number;
  readonly durationMs: number;
}

export interface IterationEndEvent extends SessionRef {
  readonly type: 'iteration-end';
  readonly iteration: number;
  readonly codeBlocks: number;
  readonly final: boolean;
  /** The user message sent back to the model for the next turn; absent when the turn ended the session. */
  readonly feedback?: string;
}

export interface SubcallStartEvent extends SessionRef {
  readonly type: 'subcall-start';
  readonly callId: string;
  readonly kind: 'llm' | 'rlm';
  readonly model: string;
  /** The REPL step that issued the call. */
  readonly step?: number;
  readonly promptChars?: number;
  /** sha256Hex(prompt). */
  readonly promptHash?: string;
  readonly prompt?: string;
}

export interface SubcallEndEvent extends SessionRef {
  readonly type: 'subcall-end';
  readonly callId: string;
  readonly kind: 'llm' | 'rlm';
  readonly cacheHit: boolean;
  /** Plain calls only: a child session reports its tokens in its own events. */
  readonly usage?: TokenUsage;
  readonly costUsd?: number;
  /** What the REPL code received (absent on error). */
  readonly answer?: string;
  readonly error?: string;
  readonly durationMs: number;
}

/** One call of a caller tool from REPL code. */
export interface ToolEndEvent extends SessionRef {
  readonly type: 'tool-end';
  readonly callId: string;
  readonly name: string;
  /** The REPL step that made the call. */
  readonly step: number;
  /** Absent when the call succeeded; what the model read otherwise. */
  readonly error?: string;
  readonly durationMs: number;
}

/** Older turns of the root conversation were replaced by a summary the model wrote. */
export interface CompactionEvent extends SessionRef {
  readonly type: 'compaction';
  /** The turn that was about to be asked when the conversation was compacted. */
  readonly iteration: number;
  /** Estimated tokens of the conversation before and after (o200k count). */
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  /** Messages replaced by the summary. */
  readonly messagesCompacted: number;
  /** hashValue(messages of the summary call): a replay answers it with `summary`. */
  readonly requestHash: string;
  /** What the model wrote; it replaced the compacted messages. */
  readonly summary: string;
  /** The summary call's own usage and cost. */
  readonly usage: TokenUsage;
  readonly costUsd: number;
}

export type RlmEvent =
  | SessionStartEvent
  | SessionEndEvent
  | IterationStartEvent
  | CompletionEndEvent
  | StepStartEvent
  | StepEndEvent
  | IterationEndEvent
  | SubcallStartEvent
  | SubcallEndEvent
  | ToolEndEvent
  | CompactionEvent;

export type RlmEventListener = (event: RlmEvent) => void;
