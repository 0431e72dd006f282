/** One answered (document, query) pair: a line of the batch's JSONL output. */
import type { StopReason } from '@rlm/shared';
import type { RlmResult } from '../rlm-result.ts';

export interface BatchRecord {
  /** The pair key (see pair-key.ts): what a re-run uses to skip the pair. */
  readonly key: string;
  readonly id: string;
  readonly query: string;
  readonly answer: string;
  /** With a schema: the answer parsed as JSON and valid against it; otherwise null. */
  readonly parsed: unknown;
  readonly stopReason: StopReason;
  /** Summed over the pair's attempts (schema repairs included). */
  readonly usage: RlmResult['usage'];
  readonly costUsd: number;
  readonly durationMs: number;
  readonly traceId: string;
  /** Schema repair attempts used (0 without a schema or when the first answer conformed). */
  readonly repairs: number;
  /** Why the pair failed (unreadable document, stopReason "error", answer never conformed); null on success. */
  readonly error: { readonly code: string; readonly message: string } | null;
}

export const ZERO_BATCH_USAGE: RlmResult['usage'] = {
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  calls: 0,
};
