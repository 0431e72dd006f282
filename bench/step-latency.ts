/**
 * (c) REPL step latency by context size: a live session is created once (the
 * context is copied into the isolate then), and a small step is timed many
 * times. Session creation is reported separately (for Python it includes loading Pyodide).
 */
import { createStepRepl } from '@rlm/worker';
import type { ReplHost } from '@rlm/worker';

export interface StepLatencyResult {
  readonly repl: 'js' | 'python';
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
  callTool: () => Promise.resolve('ok'),
};

export async function benchStepLatency(
  contextChars: number,
  steps: number,
  repl: 'js' | 'python' = 'js',
): Promise<StepLatencyResult> {
  const line = 'Date: Jan 01, 2024 || User: 12345 || Instance: what is the capital of France?\n';
  const context = line.repeat(Math.ceil(contextChars / line.length)).slice(0, contextChars);
  const createStarted = performance.now();
  const session = await createStepRepl({ language: repl, context, host: idleHost });
  const createMs = performance.now() - createStarted;
  try {
    const timings: number[] = [];
    for (let step = 0; step < steps; step += 1) {
      const started = performance.now();
      const code =
        repl === 'python'
          ? `n${step} = len(context)\nprint(n${step}, context[:40])`
          : `const n${step} = context.length; print(n${step}, context.slice(0, 40));`;
      const result = await session.execute(code, { timeoutMs: 30_000 });
      timings.push(performance.now() - started);
      if (result.error !== undefined) throw new Error(`step failed: ${result.error.message}`);
    }
    timings.sort((a, b) => a - b);
    return {
      repl,
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

/** The Python step next to the JavaScript one on the same context (target: within 2x). */
export async function benchPythonStepLatency(contextChars: number, steps: number): Promise<object> {
  const js = await benchStepLatency(contextChars, steps, 'js');
  const python = await benchStepLatency(contextChars, steps, 'python');
  return { js, python, medianRatio: round(python.medianStepMs / js.medianStepMs) };
}

/** Python session start (Pyodide load + a small context) over `sessions` fresh sandboxes. */
export async function benchPythonSessionStart(sessions: number): Promise<object> {
  const timings: number[] = [];
  for (let index = 0; index < sessions; index += 1) {
    const started = performance.now();
    const session = await createStepRepl({ language: 'python', context: 'small context', host: idleHost });
    timings.push(performance.now() - started);
    session.dispose();
  }
  timings.sort((a, b) => a - b);
  return { sessions, medianMs: Math.round(timings[Math.floor(sessions / 2)] ?? 0), minMs: Math.round(timings[0] ?? 0) };
}
