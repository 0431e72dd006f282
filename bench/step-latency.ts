/**
 * (c) REPL step latency by context size: a live session is created once (the
 * context is copied into the isolate then), and a small step is timed many
 * times. Session creation is reported separately.
 */
import { ReplSession } from '@rlm/worker';
import type { ReplHost } from '@rlm/worker';

export interface StepLatencyResult {
  readonly contextChars: number;
  readonly createMs: number;
  readonly steps: number;
  readonly medianStepMs: number;
  readonly p90StepMs: number;
}

const idleHost: ReplHost = {
  llmQuery: () => Promise.resolve('ok'),
  llmQueryBatched: (prompts) => Promise.resolve(prompts.map(() => 'ok')),
  rlmQuery: () => Promise.resolve('ok'),
  rlmQueryBatched: (prompts) => Promise.resolve(prompts.map(() => 'ok')),
};

export async function benchStepLatency(contextChars: number, steps: number): Promise<StepLatencyResult> {
  const line = 'Date: Jan 01, 2024 || User: 12345 || Instance: what is the capital of France?\n';
  const context = line.repeat(Math.ceil(contextChars / line.length)).slice(0, contextChars);
  const createStarted = performance.now();
  const session = await ReplSession.create({ context, host: idleHost });
  const createMs = performance.now() - createStarted;
  try {
    const timings: number[] = [];
    for (let step = 0; step < steps; step += 1) {
      const started = performance.now();
      const result = await session.execute(`const n${step} = context.length; print(n${step}, context.slice(0, 40));`, { timeoutMs: 30_000 });
      timings.push(performance.now() - started);
      if (result.error !== undefined) throw new Error(`step failed: ${result.error.message}`);
    }
    timings.sort((a, b) => a - b);
    return {
      contextChars,
      createMs: Math.round(createMs),
      steps,
      medianStepMs: round(timings[Math.floor(steps / 2)] ?? 0),
      p90StepMs: round(timings[Math.floor(steps * 0.9)] ?? 0),
    };
  } finally {
    session.dispose();
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
