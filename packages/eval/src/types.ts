/** The evaluation's data shapes: instances in, one result per (instance, method) out. */
import type { StopReason } from '@rlm/shared';

export type MethodName = 'rlm' | 'rlm-no-subcalls' | 'direct';
export const METHOD_NAMES: readonly MethodName[] = ['rlm', 'rlm-no-subcalls', 'direct'];

/** How an answer is scored against the expected text (see graders.ts). */
export type GraderName = 'exact' | 'numeric' | 'contains' | 'pairs';
export const GRADER_NAMES: readonly GraderName[] = ['exact', 'numeric', 'contains', 'pairs'];

/** One question over one context, with its exact answer. */
export interface EvalInstance {
  /** Stable across methods, so scores can be paired: `<task>/<length>/<index>`. */
  readonly id: string;
  /** `niah`, `oolong`, `pairs`, or the name of a user task file. */
  readonly task: string;
  /** The length the instance was generated for (user files: the measured one). */
  readonly lengthTokens: number;
  /** Measured with the o200k tokenizer (sampled above 64k characters). */
  readonly contextTokens: number;
  readonly seed: number;
  readonly context: string;
  readonly query: string;
  readonly expected: string;
  readonly grader: GraderName;
}

export interface MethodOutcome {
  readonly answer: string;
  readonly stopReason: StopReason;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly costUsd: number;
  /** Provider requests made. */
  readonly calls: number;
  /** llm_query / rlm_query calls (0 for direct). */
  readonly subcalls: number;
  /** Deepest level reached: 0 = only the root model, 1 = plain sub-calls, 2+ = child RLMs. */
  readonly depth: number;
  readonly iterations: number;
  /** Context tokens the method actually gave the model (direct: after truncation). */
  readonly contextTokensSeen?: number;
  readonly error?: string;
}

export interface InstanceResult extends Omit<MethodOutcome, 'answer'> {
  readonly id: string;
  readonly task: string;
  readonly lengthTokens: number;
  readonly contextTokens: number;
  readonly seed: number;
  readonly method: MethodName;
  readonly score: number;
  readonly wallMs: number;
  /** Answers and expectations cut to a readable length. */
  readonly answer: string;
  readonly expected: string;
}

export interface EvalRunInfo {
  readonly command: string;
  readonly startedAt: string;
  readonly endpoint: string;
  /** True when the built-in simulator answered: the figures then measure machinery, not quality. */
  readonly simulator: boolean;
  readonly model: string;
  readonly subModel: string;
  readonly contextWindowTokens: number;
  readonly seed: number;
  readonly machine: { readonly cpus: number; readonly node: string; readonly platform: string };
  readonly simulatorOptions?: Readonly<Record<string, unknown>>;
}

export interface EvalResults {
  readonly info: EvalRunInfo;
  readonly results: readonly InstanceResult[];
}
