/**
 * `runBatch`: many documents x queries through one RLM, with bounded
 * concurrency, yielding each answered pair as it completes (an async
 * iterator). With `outFile` the run is resumable: pairs whose key is already
 * in the file are skipped, new records are appended one line each, and a
 * re-run of the same batch after any kind of stop (even kill -9) finishes the
 * missing pairs without repeating or duplicating finished ones. One failing
 * document never stops the batch: its record carries the error.
 */
import type { RLM } from '../rlm.ts';
import { AnswerSchema } from './answer-schema.ts';
import { BatchBudget } from './batch-budget.ts';
import type { BatchItem } from './batch-item.ts';
import type { BatchRecord } from './batch-record.ts';
import { OutputLog, readExistingOutput } from './output-log.ts';
import type { OutputSync } from './output-log.ts';
import { configFingerprint, pairKey } from './pair-key.ts';
import { startBatchSpan, withPairTrace } from './batch-trace.ts';
import { runPair } from './run-pair.ts';
import type { BatchPair } from './run-pair.ts';

export interface BatchOptions {
  readonly rlm: RLM;
  readonly items: readonly BatchItem[];
  readonly queries: readonly string[];
  /** JSON Schema every answer must satisfy; the model is told, and a bad answer is repaired. */
  readonly schema?: object;
  /** Follow-up attempts for an answer that does not satisfy the schema; default 2. */
  readonly repairAttempts?: number;
  /** Pairs answered at once; default 4. */
  readonly concurrency?: number;
  /** The JSONL output and resume journal; without it nothing is written and nothing resumes. */
  readonly outFile?: string;
  /** fdatasync after every line (default) or never; see output-log.ts. */
  readonly sync?: OutputSync;
  /** Stops starting pairs and cancels running ones; cancelled pairs are neither written nor yielded. */
  readonly signal?: AbortSignal;
  /** One cost cap in USD over the whole batch (batch-budget.ts); pairs not started for lack of it stay pending. */
  readonly maxCostTotalUsd?: number;
  /** Called when the batch stops starting pairs because maxCostTotalUsd is spent. */
  readonly onBudgetExhausted?: () => void;
  /** Called once before the first pair runs. */
  readonly onPlan?: (plan: BatchPlan) => void;
  /** Called for each pair skipped because an earlier run finished it. */
  readonly onSkip?: (record: BatchRecord) => void;
}

export interface BatchPlan {
  /** documents x queries */
  readonly total: number;
  /** Records already in `outFile` (possibly of other configurations). */
  readonly previousRecords: number;
  /** Bytes of a torn last line cut from `outFile` (a run killed mid-write). */
  readonly tornBytes: number;
}

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_REPAIR_ATTEMPTS = 2;

export async function* runBatch(
  options: BatchOptions,
): AsyncGenerator<BatchRecord, void, undefined> {
  const schema = options.schema === undefined ? undefined : new AnswerSchema(options.schema);
  const fingerprint = configFingerprint(options.rlm.config, options.schema);
  const existing =
    options.outFile === undefined ? undefined : await readExistingOutput(options.outFile);
  const done = new Map((existing?.records ?? []).map((record) => [record.key, record]));
  const total = options.items.length * new Set(options.queries).size;
  const batchSpan = startBatchSpan(total);
  options.onPlan?.({
    total,
    previousRecords: existing?.records.length ?? 0,
    tornBytes: existing?.tornBytes ?? 0,
  });
  const log =
    options.outFile === undefined ? undefined : await OutputLog.open(options.outFile, options.sync);
  const controller = new AbortController();
  const signal =
    options.signal === undefined
      ? controller.signal
      : AbortSignal.any([controller.signal, options.signal]);
  // A query given twice would be one pair key twice: ask it once.
  const queries = [...new Set(options.queries)];
  const pairs = pendingPairs(options.items, queries, fingerprint, done, options.onSkip);
  const finished: BatchRecord[] = [];
  let wake: (() => void) | undefined;
  let failure: { readonly error: unknown } | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };

  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const budget =
    options.maxCostTotalUsd === undefined
      ? undefined
      : new BatchBudget(options.maxCostTotalUsd, concurrency, options.rlm.config.maxCostUsd);
  const worker = async (): Promise<void> => {
    while (!signal.aborted) {
      const grant = await budget?.take(signal);
      if (budget !== undefined && grant === undefined) {
        if (budget.exhausted) options.onBudgetExhausted?.();
        return;
      }
      const next = await pairs.next();
      if (next.done === true) {
        if (grant !== undefined) budget?.settle(grant, 0);
        return;
      }
      const pair = next.value;
      const record = await withPairTrace(batchSpan, pair, () =>
        runPair(options.rlm, pair, {
          schema,
          repairAttempts: options.repairAttempts ?? DEFAULT_REPAIR_ATTEMPTS,
          signal,
          ...(grant === undefined ? {} : { maxCostUsd: grant }),
        }),
      );
      if (grant !== undefined && budget !== undefined) {
        // Refused before it spent anything: not done, the batch's budget is what ran out.
        if (record.stopReason === 'max_cost' && record.costUsd === 0 && record.usage.calls === 0) {
          budget.refused(grant);
          options.onBudgetExhausted?.();
          return;
        }
        budget.settle(grant, record.costUsd);
      }
      // A pair cut short by the batch's own stop is not done: the next run answers it.
      if (cutShort(record, signal)) return;
      await log?.append(record);
      finished.push(record);
      notify();
    }
  };
  const workers = Array.from(
    { length: concurrency },
    () =>
      worker().catch((error: unknown) => {
        failure ??= { error };
        controller.abort(error);
      }),
  );
  let running = workers.length;
  for (const settled of workers) {
    void settled.finally(() => {
      running -= 1;
      notify();
    });
  }

  try {
    while (running > 0 || finished.length > 0) {
      const record = finished.shift();
      if (record !== undefined) yield record;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failure !== undefined) throw failure.error;
  } finally {
    // The consumer stopped early (break, throw) or the batch ended: no pair keeps running unseen.
    controller.abort(new Error('the batch ended'));
    await Promise.all(workers);
    await pairs.return(undefined);
    await log?.close();
    batchSpan.end();
  }
}

function cutShort(record: BatchRecord, signal: AbortSignal): boolean {
  return (
    signal.aborted && (record.stopReason === 'cancelled' || record.error?.code === 'cancelled')
  );
}

/** The batch's pairs in input order, document-major, minus the ones already done; each text is read once. */
async function* pendingPairs(
  items: readonly BatchItem[],
  queries: readonly string[],
  fingerprint: string,
  done: ReadonlyMap<string, BatchRecord>,
  onSkip: ((record: BatchRecord) => void) | undefined,
): AsyncGenerator<BatchPair, void, undefined> {
  for (const item of items) {
    let text: string | { readonly loadError: string };
    try {
      text = await item.loadText();
    } catch (error) {
      text = {
        loadError: `cannot read the document: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    for (const query of queries) {
      const key = pairKey({
        id: item.id,
        text: typeof text === 'string' ? text : '',
        query,
        configFingerprint: fingerprint,
      });
      const previous = done.get(key);
      if (previous !== undefined) onSkip?.(previous);
      else yield { key, id: item.id, query, text };
    }
  }
}
