/**
 * The trajectory file (`rlm run --trace-out FILE`): JSONL, one record a line.
 *
 *   line 1      {type: "metadata", version, startedAt, settings, limits, context, ...}
 *   lines 2..n  one RlmEvent each, plus `t` (milliseconds since startedAt)
 *   last line   {type: "result", result, t}   (missing when the run crashed)
 *
 * Version 2 added the content-carrying events (completion-end, step-start/-end)
 * and the content fields; readers accept versions they know and reject others.
 * The metadata never holds the API key or the endpoint (a URL may embed credentials).
 */
import type { RlmEvent } from './events.ts';
import type { SessionSettings } from './jobs/task-schemas.ts';
import type { RequestResult } from './request-result.ts';

export const TRAJECTORY_VERSION = 2;

export interface TrajectoryMetadata {
  readonly type: 'metadata';
  readonly version: number;
  readonly startedAt: string;
  readonly mode: 'embedded' | 'cluster';
  readonly query: string;
  /** The settings every session of the request runs with (models included). */
  readonly settings: SessionSettings;
  /** Request-wide budgets; absent members mean no limit. */
  readonly limits: {
    readonly maxTokens?: number;
    readonly maxCostUsd?: number;
    readonly timeoutSec?: number;
    readonly concurrency: number;
  };
  /** The context itself stays out: its size and content hash identify it. */
  readonly context: {
    readonly type: string;
    readonly totalChars: number;
    readonly items?: number;
    readonly sha256: string;
  };
}

export type TrajectoryEvent = RlmEvent & { readonly t: number };

/** The request's result as `rlm run --json` prints it (the fields readers rely on). */
export type TrajectoryResult = RequestResult;

export interface TrajectoryResultRecord {
  readonly type: 'result';
  readonly result: TrajectoryResult;
  readonly t: number;
}

export type TrajectoryRecord = TrajectoryMetadata | TrajectoryEvent | TrajectoryResultRecord;
