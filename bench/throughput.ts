/**
 * (b) Overhead: sub-calls per second through the whole embedded engine
 * (sandbox bridge, gateway, ledger, openai client, HTTP) against a
 * zero-latency simulator. Prompts are distinct so the cache never answers.
 */
import { RLM } from '@rlm/sdk';
import { startSimServer } from '@rlm/sim';
import { isRootRequest } from './root-request.ts';

export interface ThroughputResult {
  readonly subcalls: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly subcallsPerSecond: number;
}

export async function benchThroughput(subcalls: number, concurrency: number): Promise<ThroughputResult> {
  let run = 0;
  const sim = await startSimServer({
    policy: {
      type: 'scripted',
      replies: (request) =>
      isRootRequest(request)
        ? [
            '```repl',
            `const replies = await llm_query_batched(Array.from({ length: ${subcalls} }, (_, i) => 'run ${run} item ' + i));`,
            'FINAL(String(replies.length));',
            '```',
          ].join('\n')
        : 'ok',
    },
  });
  try {
    const rlm = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', subModel: 'sim-small', concurrency, env: {} });
    run = 1;
    await rlm.completion('warm-up', 'warm up');
    run = 2;
    const started = performance.now();
    const result = await rlm.completion('throughput context', 'go');
    const seconds = (performance.now() - started) / 1000;
    if (result.answer !== String(subcalls)) throw new Error(`throughput run answered ${result.answer}`);
    return { subcalls, concurrency, seconds: Math.round(seconds * 1000) / 1000, subcallsPerSecond: Math.round(subcalls / seconds) };
  } finally {
    await sim.close();
  }
}
