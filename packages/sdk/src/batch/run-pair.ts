/**
 * Answers one (document, query) pair: THE place where a batch invokes the
 * engine for a document, so per-document concerns (tracing links to the batch
 * span, metrics) have one call site to wrap. With a schema, a non-conforming
 * final answer is asked again with the validation problems, at most
 * `repairAttempts` times (docs/decisions/2026-11-24-batch-resume-and-schema-repair.md).
 */
import { isRlmError } from '@rlm/shared';
import type { RLM } from '../rlm.ts';
import type { RlmResult } from '../rlm-result.ts';
import type { AnswerSchema } from './answer-schema.ts';
import type { BatchRecord } from './batch-record.ts';
import { ZERO_BATCH_USAGE } from './batch-record.ts';

export interface BatchPair {
  readonly key: string;
  readonly id: string;
  readonly query: string;
  /** The document's text, or why it could not be read. */
  readonly text: string | { readonly loadError: string };
}

export interface RunPairOptions {
  readonly schema: AnswerSchema | undefined;
  readonly repairAttempts: number;
  readonly signal: AbortSignal;
  /** This pair's cost cap, granted from the batch's total (batch-budget.ts). */
  readonly maxCostUsd?: number;
}

export async function runPair(
  rlm: RLM,
  pair: BatchPair,
  options: RunPairOptions,
): Promise<BatchRecord> {
  const started = performance.now();
  const base = { key: pair.key, id: pair.id, query: pair.query };
  if (typeof pair.text !== 'string') {
    return {
      ...base,
      answer: '',
      parsed: null,
      stopReason: 'error',
      usage: ZERO_BATCH_USAGE,
      costUsd: 0,
      durationMs: 0,
      traceId: '',
      repairs: 0,
      error: { code: 'document_unreadable', message: pair.text.loadError },
    };
  }
  const context = pair.text;
  const attempts: RlmResult[] = [];
  let query = options.schema?.queryWithSchema(pair.query) ?? pair.query;
  let parsed: unknown = null;
  let error: BatchRecord['error'] = null;
  try {
    for (let attempt = 0; ; attempt += 1) {
      const result = await rlm.completion(context, query, {
        signal: options.signal,
        ...(options.maxCostUsd === undefined ? {} : { overrides: { maxCostUsd: options.maxCostUsd } }),
      });
      attempts.push(result);
      if (result.stopReason === 'error') {
        error = result.error ?? { code: 'error', message: 'the run stopped with an error' };
        break;
      }
      if (options.schema === undefined) break;
      const check = options.schema.check(result.answer);
      if (check.ok) {
        parsed = check.value;
        break;
      }
      // A budget stop leaves a partial answer: asking again would only spend more of a spent budget.
      if (attempt >= options.repairAttempts || result.stopReason !== 'final') {
        error = { code: 'schema_mismatch', message: `the answer ${check.problems}` };
        break;
      }
      query = options.schema.repairQuery(pair.query, result.answer, check.problems);
    }
  } catch (thrown) {
    error = isRlmError(thrown)
      ? { code: thrown.code, message: thrown.message }
      : { code: 'internal', message: thrown instanceof Error ? thrown.message : String(thrown) };
  }
  const last = attempts.at(-1);
  return {
    ...base,
    answer: last?.answer ?? '',
    parsed,
    // The engine's own stop reason; a schema mismatch shows in `error`, not here.
    stopReason: last?.stopReason ?? 'error',
    usage: sumUsage(attempts),
    costUsd: attempts.reduce((sum, result) => sum + result.costUsd, 0),
    durationMs: Math.round(performance.now() - started),
    traceId: last?.traceId ?? '',
    repairs: Math.max(0, attempts.length - 1),
    error,
  };
}

function sumUsage(results: readonly RlmResult[]): RlmResult['usage'] {
  return results.reduce(
    (sum, result) => ({
      inputTokens: sum.inputTokens + result.usage.inputTokens,
      outputTokens: sum.outputTokens + result.usage.outputTokens,
      cachedInputTokens: sum.cachedInputTokens + result.usage.cachedInputTokens,
      calls: sum.calls + result.usage.calls,
    }),
    ZERO_BATCH_USAGE,
  );
}
