/**
 * The result of one RLM request, in the JSON shape `rlm run --json` prints (DESIGN section 4).
 * Defined once here so the SDK's result and the trajectory file's last line cannot drift apart.
 */
import type { TokenUsage } from './jobs/task-schemas.ts';
import type { StopReason } from './stop-reason.ts';

/** Token usage summed over the whole request tree, plus the number of provider calls. */
export interface RequestUsage extends TokenUsage {
  /** Provider calls made across the tree (cache hits excluded). */
  readonly calls: number;
}

export interface RequestResult {
  readonly answer: string;
  readonly stopReason: StopReason;
  /** Root-model turns of the root session. */
  readonly iterations: number;
  /** llm_query / rlm_query calls across the whole tree, cache hits included. */
  readonly subcalls: number;
  readonly usage: RequestUsage;
  /** Sub-calls answered by the result cache or by an identical call in flight. */
  readonly cacheHits: number;
  readonly costUsd: number;
  readonly durationMs: number;
}
