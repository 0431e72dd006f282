/**
 * (a) Fan-out: one REPL step issues N llm_query calls through Promise.all
 * against the simulator at a fixed latency. Reported as measured wall time
 * over the ideal critical path: root calls + ceil(N / concurrency) x latency.
 */
import { RLM } from '@rlm/sdk';
import { startSimServer } from '@rlm/sim';
import { isRootRequest } from './root-request.ts';

export interface FanOutResult {
  readonly subcalls: number;
  readonly concurrency: number;
  readonly latencyMs: number;
  readonly rootCalls: number;
  readonly idealMs: number;
  readonly measuredMs: number;
  readonly ratio: number;
}

export async function benchFanOut(subcalls: number, concurrency: number, latencyMs: number): Promise<FanOutResult> {
  const code = [
    '```repl',
    `const prompts = Array.from({ length: ${subcalls} }, (_, i) => 'Reply with ok. Item ' + i);`,
    'const replies = await Promise.all(prompts.map((p) => llm_query(p)));',
    'FINAL(String(replies.filter((r) => r === "ok").length));',
    '```',
  ].join('\n');
  const sim = await startSimServer({
    policy: { type: 'scripted', replies: (request) => (isRootRequest(request) ? code : 'ok') },
    latency: { firstTokenMs: latencyMs, perOutputTokenMs: 0 },
  });
  try {
    const rlm = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', subModel: 'sim-small', concurrency, env: {} });
    // One warm-up request so module loading and JIT do not count.
    await rlm.completion('warm-up', 'warm up');
    const started = performance.now();
    const result = await rlm.completion('fan-out context', 'fan out');
    const measuredMs = performance.now() - started;
    if (result.answer !== String(subcalls)) throw new Error(`fan-out answered ${result.answer}, expected ${subcalls}`);
    const rootCalls = result.usage.calls - subcalls;
    const idealMs = (rootCalls + Math.ceil(subcalls / concurrency)) * latencyMs;
    return { subcalls, concurrency, latencyMs, rootCalls, idealMs, measuredMs: Math.round(measuredMs), ratio: round(measuredMs / idealMs) };
  } finally {
    await sim.close();
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
