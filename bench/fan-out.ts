/**
 * (a) Fan-out: one REPL step issues N llm_query calls through Promise.all (JavaScript) or one
 * llm_query_batched call (Python) against the simulator at a fixed latency. Reported as measured wall time
 * over the ideal critical path: root calls + ceil(N / concurrency) x latency.
 *
 * The measured request runs on a warm engine, as a server would be: one request before it loaded
 * the modules and JIT-compiled the path, and for Python the engine's spare sandbox has loaded
 * Pyodide (`rlm.warmUp()`), so the session takes a ready one. The first request of a fresh engine,
 * Pyodide load included, is reported beside it (`firstRequestMs`).
 */
import { RLM } from '@rlm/sdk';
import { spawnSim } from './spawn-sim.ts';

export interface FanOutResult {
  readonly repl: 'js' | 'python';
  readonly subcalls: number;
  readonly concurrency: number;
  readonly latencyMs: number;
  readonly rootCalls: number;
  readonly idealMs: number;
  readonly measuredMs: number;
  readonly ratio: number;
  /** The fan-out step alone (REPL start excluded): its wall time over ceil(N / concurrency) x latency. */
  readonly stepMs: number;
  readonly stepRatio: number;
  /** The same request as the first of a fresh engine (module loading, JIT and, for Python, Pyodide's load still under way). */
  readonly firstRequestMs: number;
}

export async function benchFanOut(
  subcalls: number,
  concurrency: number,
  latencyMs: number,
  repl: 'js' | 'python' = 'js',
): Promise<FanOutResult> {
  const sim = await spawnSim(subcalls, latencyMs, 1, repl);
  const rlm = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', subModel: 'sim-small', concurrency, repl, env: {} });
  try {
    // One warm-up request so module loading and JIT do not count; then the spare Python sandbox
    // that replaced the one it took finishes loading, as it would between a server's requests.
    const firstStarted = performance.now();
    await rlm.completion('warm-up', 'warm up');
    const firstRequestMs = performance.now() - firstStarted;
    await rlm.warmUp();
    let stepMs = 0;
    const started = performance.now();
    const result = await rlm.completion('fan-out context', 'fan out', {
      onEvent: (event) => {
        if (event.type === 'step-end') stepMs = event.durationMs;
      },
    });
    const measuredMs = performance.now() - started;
    if (result.answer !== String(subcalls) || result.cacheHits !== 0) {
      throw new Error(`fan-out answered ${result.answer} with ${result.cacheHits} cache hits; expected ${subcalls} and 0`);
    }
    const rootCalls = result.usage.calls - subcalls;
    const idealMs = (rootCalls + Math.ceil(subcalls / concurrency)) * latencyMs;
    return {
      repl,
      subcalls,
      concurrency,
      latencyMs,
      rootCalls,
      idealMs,
      measuredMs: Math.round(measuredMs),
      ratio: Math.round((measuredMs / idealMs) * 1000) / 1000,
      stepMs: Math.round(stepMs),
      stepRatio: Math.round((stepMs / (Math.ceil(subcalls / concurrency) * latencyMs)) * 1000) / 1000,
      firstRequestMs: Math.round(firstRequestMs),
    };
  } finally {
    await rlm.close();
    await sim.stop();
  }
}

/** The Python fan-out next to the same fan-out in JavaScript at the same cap. */
export async function benchPythonFanOut(subcalls: number, concurrency: number, latencyMs: number): Promise<object> {
  const js = await benchFanOut(subcalls, concurrency, latencyMs, 'js');
  const python = await benchFanOut(subcalls, concurrency, latencyMs, 'python');
  return { js, python };
}
