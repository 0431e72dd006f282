/**
 * (b) Overhead: sub-calls per second through the whole embedded engine
 * against a zero-latency simulator in another process (sandbox bridge,
 * gateway, ledger, openai client, HTTP), and the same fan-out with an
 * in-process provider (no HTTP) to show what the engine itself costs.
 * Prompts are fresh per request so the cache never answers.
 */
import { RLM } from '@rlm/sdk';
import type { CompletionRequest, CompletionResponse } from '@rlm/shared';
import type { LlmProvider } from '@rlm/shared';
import { fanOutProgram } from './fan-out-program.ts';
import { spawnSim } from './spawn-sim.ts';

export interface ThroughputResult {
  readonly transport: 'http-simulator' | 'in-process-provider';
  readonly subcalls: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly subcallsPerSecond: number;
}

export async function benchThroughput(
  subcalls: number,
  concurrency: number,
): Promise<ThroughputResult> {
  const sim = await spawnSim(subcalls, 0);
  try {
    return await measure(
      new RLM({
        baseUrl: sim.baseUrl,
        model: 'sim-large',
        subModel: 'sim-small',
        concurrency,
        env: {},
      }),
      'http-simulator',
      subcalls,
      concurrency,
    );
  } finally {
    await sim.stop();
  }
}

/** Answers like the simulator's scripted policy, without HTTP. */
class InProcessProvider implements LlmProvider {
  private readonly rootReply: string;
  constructor(subcalls: number) {
    this.rootReply = fanOutProgram(subcalls);
  }
  complete(request: CompletionRequest): Promise<CompletionResponse> {
    const root = request.messages[0]?.role === 'system';
    return Promise.resolve({
      content: root ? this.rootReply : 'ok',
      model: request.model,
      usage: { inputTokens: 20, outputTokens: 1, cachedInputTokens: 0 },
    });
  }
}

export async function benchEngineOnly(
  subcalls: number,
  concurrency: number,
): Promise<ThroughputResult> {
  const rlm = new RLM({
    provider: new InProcessProvider(subcalls),
    model: 'sim-large',
    subModel: 'sim-small',
    concurrency,
    env: {},
  });
  return measure(rlm, 'in-process-provider', subcalls, concurrency);
}

async function measure(
  rlm: RLM,
  transport: ThroughputResult['transport'],
  subcalls: number,
  concurrency: number,
): Promise<ThroughputResult> {
  await rlm.completion('warm-up', 'warm up');
  const started = performance.now();
  const result = await rlm.completion('throughput context', 'go');
  const seconds = (performance.now() - started) / 1000;
  if (result.answer !== String(subcalls) || result.cacheHits !== 0)
    throw new Error(`throughput run answered ${result.answer}`);
  return {
    transport,
    subcalls,
    concurrency,
    seconds: Math.round(seconds * 1000) / 1000,
    subcallsPerSecond: Math.round(subcalls / seconds),
  };
}
