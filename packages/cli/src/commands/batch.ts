/**
 * `rlm batch --input FILE|DIR --query TEXT [--query TEXT ...] --out FILE [flags]`
 * Answers every (document, query) pair, appending one JSONL line per pair to
 * --out. Re-running the same command resumes: finished pairs are skipped.
 */
import { readFile } from 'node:fs/promises';
import { parseFlags } from '../strict-flags.ts';
import { assertPricedForBudget, readBatchItems, RLM, runBatch } from '@rlm/sdk';
import type { BatchRecord, OutputSync } from '@rlm/sdk';
import { loadConfig } from '@rlm/shared';
import { startTelemetry } from '@rlm/telemetry';
import { createBatchProgress, countRecord, ratePerMinute } from '../batch/batch-progress.ts';
import { writeCsv } from '../batch/csv-output.ts';
import type { CommandIo } from '../command-io.ts';
import { ENGINE_FLAG_OPTIONS, engineOverrides } from '../engine-flags.ts';
import { numberFlag } from '../number-flag.ts';
import { checkOutputFile } from '../output-file-flag.ts';
import { EXIT_CODES, exitCodeOf, outcomeLine } from '../run-outcome.ts';
import { usageError } from '../usage-error.ts';

export const BATCH_USAGE = `rlm batch --input FILE|DIR --query TEXT [--query TEXT ...] --out FILE [--schema FILE]
        [--repairs N] [--concurrency N] [--request-concurrency N] [--csv FILE] [--sync line|none]
        [--max-cost-total USD] [--quiet] [--prefix P] [the model and budget flags of rlm run]
  --input: JSONL of {id, text} or {id, path}, or a directory of text files. Re-running the
  same command skips pairs already in --out. --concurrency: pairs at once (default 4);
  --request-concurrency: concurrent LLM calls of one pair (rlm run's --concurrency).
  --max-cost-total: one cost cap over the whole batch; pairs not started stay pending.
  Exit codes: 0 every pair answered, 3 some pair stopped by a budget / turn limit / timeout or
  the batch stopped at --max-cost-total, 1 some pair failed (each cause printed) or interrupted,
  2 bad input.`;

export async function batchCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags({
    args: [...argv],
    options: {
      ...ENGINE_FLAG_OPTIONS,
      input: { type: 'string' },
      query: { type: 'string', multiple: true },
      out: { type: 'string' },
      schema: { type: 'string' },
      repairs: { type: 'string' },
      'request-concurrency': { type: 'string' },
      csv: { type: 'string' },
      sync: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'max-cost-total': { type: 'string' },
      prefix: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.input === undefined)
    throw usageError('--input is required (a JSONL file or a directory)');
  const queries = (values.query ?? []).filter((query) => query.trim() !== '');
  if (queries.length === 0) throw usageError('--query is required (repeat it for several queries)');
  if (values.out === undefined)
    throw usageError('--out is required (the JSONL output, also the resume journal)');
  const sync = values.sync ?? 'line';
  if (sync !== 'line' && sync !== 'none')
    throw usageError(`--sync: expected "line" or "none", got "${sync}"`);
  const concurrency =
    values.concurrency === undefined
      ? 4
      : numberFlag('concurrency', values.concurrency, { min: 1, max: 1000, integer: true });
  const repairAttempts =
    values.repairs === undefined
      ? 2
      : numberFlag('repairs', values.repairs, { min: 0, max: 10, integer: true });
  await checkOutputFile('out', values.out);
  if (values.csv !== undefined) await checkOutputFile('csv', values.csv);
  const maxCostTotalUsd =
    values['max-cost-total'] === undefined
      ? undefined
      : numberFlag('max-cost-total', values['max-cost-total'], { min: Number.MIN_VALUE });
  const schema = values.schema === undefined ? undefined : await readSchema(values.schema);
  const items = await readBatchItems(values.input);

  const overrides = engineOverrides({ ...values, concurrency: values['request-concurrency'] });
  // Checked here first so that a bad value is named by its flag (the SDK names its option key).
  loadConfig({ env: io.env, overrides });
  const rlm = new RLM({
    ...overrides,
    env: io.env,
    ...(values.prefix === undefined ? {} : { redisPrefix: values.prefix }),
  });
  // Once, before any pair runs: each pair would otherwise fail on it one by one (exit 1, N lines).
  assertPricedForBudget({ ...rlm.config, maxCostUsd: rlm.config.maxCostUsd ?? maxCostTotalUsd });
  // One trace per pair, linked to the batch span (packages/sdk/src/batch/batch-trace.ts).
  const telemetry = startTelemetry({ serviceName: 'rlm-batch', env: io.env });
  const progress = createBatchProgress(io, values.quiet);
  const records: BatchRecord[] = [];
  let budgetStopped = false;
  let partial = 0;
  const controller = new AbortController();
  const detach = io.onInterrupt(() => controller.abort(new Error('interrupted')));
  try {
    const run = runBatch({
      rlm,
      items,
      queries,
      ...(schema === undefined ? {} : { schema }),
      repairAttempts,
      concurrency,
      outFile: values.out,
      sync: sync satisfies OutputSync,
      signal: controller.signal,
      ...(maxCostTotalUsd === undefined ? {} : { maxCostTotalUsd }),
      onBudgetExhausted: () => {
        budgetStopped = true;
      },
      onPlan: (plan) => {
        progress.tally.total = plan.total;
        if (plan.tornBytes > 0 && !values.quiet)
          io.stderr(`batch: cut a torn last line (${plan.tornBytes} bytes) from ${values.out}`);
      },
      onSkip: (record) => {
        progress.tally.skipped += 1;
        records.push(record);
      },
    });
    for await (const record of run) {
      countRecord(progress.tally, record);
      records.push(record);
      progress.update(record);
      // The cause of every failed or cut-short pair, one line each, whatever the progress display.
      const cause = pairCause(record);
      if (cause !== undefined)
        io.stderr(`batch: ${record.id} (${record.query.slice(0, 40)}): ${cause}`);
      if (record.error === null && exitCodeOf(record) === EXIT_CODES.partial) partial += 1;
    }
  } finally {
    progress.finish();
    detach();
    await rlm.close();
    await telemetry.shutdown();
  }
  if (values.csv !== undefined) await writeCsv(values.csv, records);
  const tally = progress.tally;
  const interrupted = controller.signal.aborted;
  if (!values.quiet || interrupted) {
    io.stderr(
      `batch: ${tally.finished - tally.failed} answered, ${tally.skipped} already done, ${tally.failed} failed, ${tally.total - tally.finished - tally.skipped} left of ${tally.total}; ` +
        `$${tally.costUsd.toFixed(4)}, ${ratePerMinute(tally).toFixed(1)} pairs/min${interrupted ? ' (interrupted: run the same command to resume)' : ''}`,
    );
  }
  if (budgetStopped)
    io.stderr(
      `batch: stopped at --max-cost-total $${String(maxCostTotalUsd)}: the pairs not started stay pending (re-run with a larger cap to finish them)`,
    );
  if (tally.failed > 0 || interrupted) return EXIT_CODES.failed;
  return partial > 0 || budgetStopped ? EXIT_CODES.partial : EXIT_CODES.final;
}

/** Why a pair has no (complete) answer, in one line; undefined for an answered pair. */
function pairCause(record: BatchRecord): string | undefined {
  if (record.error !== null)
    return `failed: ${record.error.code}: ${record.error.message.replace(/\s*\n\s*/g, ' ')}`;
  return outcomeLine({ stopReason: record.stopReason });
}

async function readSchema(file: string): Promise<object> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw usageError(
      `--schema: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  try {
    const schema = JSON.parse(text) as unknown;
    if (typeof schema !== 'object' || schema === null) throw new Error('not an object');
    return schema;
  } catch (error) {
    throw usageError(
      `--schema: ${file} is not a JSON object (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
