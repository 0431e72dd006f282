/**
 * The Python REPL solving the synthetic families end to end: the SDK, the real openai client, the
 * simulator's solver writing Python that runs in the sealed Pyodide sandbox and fans out with
 * llm_query_batched. The needle runs at 10 MB with about 50 sub-calls started together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RLM } from '@rlm/sdk';
import { generateTask, gradeAnswer, startSimServer, TASK_FAMILIES } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';

describe('the solver in Python', () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSimServer({ policy: { type: 'solver' } });
  });
  afterAll(async () => {
    await sim.close();
  });

  for (const family of TASK_FAMILIES) {
    it(`solves ${family} at 1M characters`, async () => {
      const task = generateTask(family, { seed: 12, contextChars: 1_000_000 });
      const rlm = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', subModel: 'sim-small', env: {}, repl: 'python' });
      const result = await rlm.completion(task.context, task.query);
      expect(result.stopReason).toBe('final');
      expect(gradeAnswer(task, result.answer)).toBe(1);
      expect(result.subcalls).toBeGreaterThanOrEqual(Math.floor(1_000_000 / 60_000));
    });
  }

  it('finds a needle in 10 MB with 50 parallel sub-calls', async () => {
    // 200,000-character chunks: about 50 sub-calls, each held 300 ms by the provider.
    const needleSim = await startSimServer({
      policy: { type: 'solver', chunkChars: 200_000 },
      latency: { firstTokenMs: 300, perOutputTokenMs: 0 },
    });
    try {
      const task = generateTask('needle', { seed: 77, contextChars: 10_000_000 });
      const rlm = new RLM({
        baseUrl: needleSim.baseUrl,
        model: 'sim-large',
        subModel: 'sim-small',
        env: {},
        repl: 'python',
        concurrency: 64,
      });
      const order: string[] = [];
      const result = await rlm.completion(task.context, task.query, {
        onEvent: (event) => {
          if (event.type === 'subcall-start' || event.type === 'subcall-end') order.push(event.type);
        },
      });
      expect(result.stopReason).toBe('final');
      expect(gradeAnswer(task, result.answer)).toBe(1);
      // Chunks end on line boundaries, so 10 MB makes 50 or 51 of them, all started (one
      // llm_query_batched call, under a cap of 64) before the first one ended.
      expect(result.subcalls).toBeGreaterThanOrEqual(50);
      expect(order.indexOf('subcall-end')).toBe(result.subcalls);
    } finally {
      await needleSim.close();
    }
  }, 180_000);
});
