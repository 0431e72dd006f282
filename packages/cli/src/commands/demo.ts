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

const DEMO_SEED = 2026;
const QUESTIONS: readonly OolongQuestionKind[] = ['count', 'most-common'];

export async function demoCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags({
    args: [...argv],
    options: { ...ENGINE_FLAG_OPTIONS, chars: { type: 'string', default: '1000000' } },
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
    let failed = false;
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
      const result = await rlm.completion(task.context, task.query, {
        onEvent: createProgressPrinter((line) => io.stderr(`  ${line}`)),
      });
      const score = gradeAnswer(task, result.answer);
      failed ||= result.stopReason === 'error';
      io.stdout(describe(result, task.expectedAnswerText, score));
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
    return failed ? 1 : 0;
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
