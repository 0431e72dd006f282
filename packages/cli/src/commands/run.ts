/**
 * `rlm run --context FILE|- --query TEXT [model and budget flags] [--json] [--trace-out FILE]`
 * Prints the answer, or with --json one object in the RlmResult shape.
 */
import { RLM } from '@rlm/sdk';
import type { RlmResult } from '@rlm/sdk';
import { loadConfig } from '@rlm/shared';
import type { RlmEvent } from '@rlm/shared';
import { startTelemetry } from '@rlm/telemetry';
import { readContextSource } from '../context-source.ts';
import { ENGINE_FLAG_OPTIONS, engineOverrides } from '../engine-flags.ts';
import { createProgressPrinter } from '../progress-printer.ts';
import { exitCodeOf, outcomeLine } from '../run-outcome.ts';
import { summaryLine } from '../summary-line.ts';
import { createVerbosePrinter } from '../verbose-printer.ts';
import { openTrajectory } from '../trajectory-writer.ts';
import type { CommandIo } from '../command-io.ts';
import { parseFlags } from '../strict-flags.ts';
import { usageError } from '../usage-error.ts';

export const RUN_USAGE = `rlm run --context FILE|- --query TEXT [--model M] [--sub-model M] [--base-url URL]
        [--api-key KEY] [--max-depth N] [--max-iterations N] [--max-tokens N] [--max-cost USD]
        [--timeout SEC] [--step-timeout SEC] [--concurrency N] [--redis URL | --redis-cluster H:P,...]
        [--json] [--trace-out FILE] [--verbose] [--quiet] [--price IN,OUT] [--prefix P]
        [--record-content] [--log-level L] [--repl js|python] [--context-window TOKENS]
  --repl python: the model writes Python, run by Pyodide in a sealed sandbox process (default js).
  --context-window: the root model's window; past 80% of it older turns are replaced by a summary
  the model writes (default: the window of a known model, else 32000).
  A context file ending in .json is parsed as JSON; anything else is read as UTF-8 text. Empty,
  binary (NUL bytes) or invalid UTF-8 input, or more than RLM_MAX_CONTEXT_CHARS characters, is
  refused before any model is called. Numbers are plain decimals; a flag may be given once.
  --verbose prints each turn's code, the output fed back and the sub-call batches on stderr.
  Exit codes: 0 final answer, 3 stopped by a budget / the turn limit / the timeout (partial
  answer), 1 failed (the cause is printed), 2 bad input.
  OTEL_EXPORTER_OTLP_ENDPOINT set: the request is traced (service rlm-cli), --json's traceId names it.`;

export async function runCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags({
    args: [...argv],
    options: {
      ...ENGINE_FLAG_OPTIONS,
      context: { type: 'string' },
      query: { type: 'string' },
      json: { type: 'boolean', default: false },
      'trace-out': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      prefix: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.context === undefined) throw usageError('--context is required (a file path, or - for stdin)');
  if (values.query === undefined || values.query.trim() === '') throw usageError('--query is required and must not be empty');
  const overrides = engineOverrides(values);
  const env = io.env;
  // The limit is read before the context, so an oversized one is refused without being read whole.
  const { maxContextChars } = loadConfig({ env, overrides });
  const context = await readContextSource(values.context, { flag: 'context', maxChars: maxContextChars, stdin: () => io.stdin() });
  const rlm = new RLM({ ...overrides, env, ...(values.prefix === undefined ? {} : { redisPrefix: values.prefix }) });
  const telemetry = startTelemetry({ serviceName: 'rlm-cli', env });
  const traceOut = values['trace-out'];
  let trajectory;
  try {
    trajectory = traceOut === undefined ? undefined : await openTrajectory(traceOut, rlm.trajectoryMetadata(context, values.query));
  } catch (error) {
    await rlm.close();
    await telemetry.shutdown();
    throw error;
  }
  const progress = values.quiet
    ? undefined
    : values.verbose
      ? createVerbosePrinter((line) => io.stderr(line))
      : createProgressPrinter((line) => io.stderr(line));
  const onEvent = (event: RlmEvent): void => {
    progress?.(event);
    trajectory?.event(event);
  };
  const controller = new AbortController();
  const detach = io.onInterrupt(() => controller.abort());
  let result: RlmResult;
  try {
    result = await rlm.completion(context, values.query, { signal: controller.signal, onEvent });
  } finally {
    detach();
    await rlm.close();
    await telemetry.shutdown();
  }
  await trajectory?.close(result);
  if (values.json) io.stdout(JSON.stringify(result));
  else {
    // A failed request prints its cause in one line, never an empty "answer"; the cause of any run
    // without a final answer is printed even with --quiet.
    if (result.answer !== '') io.stdout(result.answer);
    const outcome = outcomeLine(result);
    if (outcome !== undefined) io.stderr(`rlm: ${outcome}`);
    if (!values.quiet) io.stderr(summaryLine(result));
  }
  return exitCodeOf(result);
}
