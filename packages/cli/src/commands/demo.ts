/**
 * `rlm demo`: a long-context task end to end with no setup. Embedded mode;
 * the simulated model unless a real endpoint is configured. Two questions
 * over the same 1M-character corpus of labelled lines: the second reuses the
 * first one's sub-call results from the cache.
 */
import { parseFlags } from '../strict-flags.ts';
import { RLM } from '@rlm/sdk';
import type { RlmResult } from '@rlm/sdk';
import { generateOolongTask, gradeAnswer } from '@rlm/sim';
import type { OolongQuestionKind } from '@rlm/sim';
import type { CommandIo } from '../command-io.ts';
import { embeddedEndpoint } from '../embedded-endpoint.ts';
import { ENGINE_FLAG_OPTIONS } from '../engine-flags.ts';
import { createProgressPrinter } from '../progress-printer.ts';
import { numberFlag } from '../number-flag.ts';
import { EXIT_CODES, exitCodeOf, outcomeLine } from '../run-outcome.ts';
import { createVerbosePrinter } from '../verbose-printer.ts';

export const DEMO_USAGE = `rlm demo [--chars N] [--quiet] [the model and budget flags of rlm run]
  a long-context task end to end with no setup: embedded, and the simulated model unless an
  endpoint is configured (OPENAI_API_KEY / OPENAI_BASE_URL / --base-url). Shows the code the
  model writes and the output it gets back; --quiet shows only the results.
  Exit codes as rlm run: 0 answered, 3 partial, 1 failed (cause printed), 2 bad input.`;

const DEMO_SEED = 2026;
const QUESTIONS: readonly OolongQuestionKind[] = ['count', 'most-common'];

export async function demoCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags({
    args: [...argv],
    options: {
      ...ENGINE_FLAG_OPTIONS,
      chars: { type: 'string', default: '1000000' },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const contextChars = numberFlag('chars', values.chars, { min: 10_000, integer: true });
  const { overrides, env, configured, sim } = await embeddedEndpoint(values, io, {
    redisRefusal:
      '--redis: rlm demo always runs embedded; use rlm run --redis URL against a running cluster',
    // A realistic-feeling latency: 150 ms to first token, 2 ms per output token.
    simulator: { policy: { type: 'solver' }, latency: { firstTokenMs: 150, perOutputTokenMs: 2 } },
  });
  try {
    if (sim !== undefined) {
      io.stdout(
        `Using the simulated model (solver policy at ${sim.baseUrl}): no OPENAI_API_KEY, OPENAI_BASE_URL or --base-url is configured.`,
      );
    } else {
      io.stdout(
        `Using the configured endpoint ${configured.baseUrl ?? 'https://api.openai.com/v1'} with model ${configured.model}.`,
      );
    }
    const rlm = new RLM({
      ...overrides,
      env,
      ...(sim === undefined
        ? {}
        : { baseUrl: sim.baseUrl, model: 'sim-large', subModel: 'sim-small' }),
    });
    let exitCode: number = EXIT_CODES.final;
    for (const questionKind of QUESTIONS) {
      const task = generateOolongTask({
        seed: DEMO_SEED,
        contextChars,
        questionKind,
        userFilter: false,
        dateFilter: false,
      });
      io.stdout(
        `\nContext: ${task.context.length.toLocaleString('en-US')} characters of labelled lines. Question: ${task.query}`,
      );
      // The model's code and what it got back, as it happens: the point of the demo.
      const show = values.quiet
        ? createProgressPrinter((line) => io.stderr(`  ${line}`))
        : createVerbosePrinter((line) => io.stderr(`  ${line}`), { maxOutputChars: 600 });
      const result = await rlm.completion(task.context, task.query, { onEvent: show });
      const score = gradeAnswer(task, result.answer);
      exitCode = worseExit(exitCode, exitCodeOf(result));
      io.stdout(describe(result, task.expectedAnswerText, score));
      const outcome = outcomeLine(result);
      if (outcome !== undefined) io.stderr(`rlm: ${outcome}`);
      // A failure (a 401, an endpoint that is down) would only repeat itself on the second question.
      if (exitCode === EXIT_CODES.failed) break;
    }
    if (sim !== undefined) {
      const stats = sim.stats();
      io.stdout(
        `\nThe simulator served ${stats.totalRequests} requests (${stats.requestsByKind.root} root turns, ${stats.requestsByKind.subcall} sub-calls).`,
      );
      io.stdout(
        'The simulator proves the machinery (code execution, fan-out, budgets, caching), not model quality.',
      );
    }
    return exitCode;
  } finally {
    await sim?.close();
  }
}

function describe(result: RlmResult, expected: string, score: number): string {
  return [
    `  answer:     ${result.answer}`,
    `  expected:   ${expected}   (grade ${score.toFixed(2)})`,
    `  stop:       ${result.stopReason} after ${result.iterations} turns`,
    `  sub-calls:  ${result.subcalls} (${result.cacheHits} answered from the cache), ${result.usage.calls} LLM requests`,
    `  tokens:     ${result.usage.inputTokens.toLocaleString('en-US')} in (${result.usage.cachedInputTokens.toLocaleString('en-US')} prefix-cached), ${result.usage.outputTokens.toLocaleString('en-US')} out, $${result.costUsd.toFixed(4)}`,
    `  time:       ${(result.durationMs / 1000).toFixed(2)} s`,
  ].join('\n');
}

/** Failed (1) outranks partial (3), which outranks answered (0). */
function worseExit(a: number, b: number): number {
  const rank = (code: number): number => (code === EXIT_CODES.failed ? 2 : code === EXIT_CODES.partial ? 1 : 0);
  return rank(b) > rank(a) ? b : a;
}
