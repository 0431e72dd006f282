/**
 * The three synthetic families solved end to end: the SDK, the real openai
 * client, HTTP, the simulator's solver policy writing real JavaScript that
 * runs in isolated-vm and fans out llm_query calls, at 1M+ characters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RLM } from '@rlm/sdk';
import { generateTask, gradeAnswer, startSimServer, TASK_FAMILIES } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';

const CONTEXT_CHARS = 1_200_000;

describe('solver policy end to end at 1M+ characters', () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSimServer({ policy: { type: 'solver' } });
  });
  afterAll(async () => {
    await sim.close();
  });

  for (const family of TASK_FAMILIES) {
    it(`solves ${family}`, async () => {
      const task = generateTask(family, { seed: 11, contextChars: CONTEXT_CHARS });
      expect(task.context.length).toBeGreaterThanOrEqual(1_000_000);
      const rlm = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', subModel: 'sim-small', env: {} });
      const result = await rlm.completion(task.context, task.query);
      expect(result.stopReason).toBe('final');
      expect(gradeAnswer(task, result.answer)).toBe(1);
      expect(result.subcalls).toBeGreaterThanOrEqual(Math.floor(CONTEXT_CHARS / 60_000));
      expect(result.usage.calls).toBe(result.iterations + result.subcalls - result.cacheHits);
      expect(result.traceId).toMatch(/^[0-9a-f]{32}$/);
    });
  }

  it('recurses at depth 2: child RLMs with their own REPLs, then plain calls below them', async () => {
    const rlmSim = await startSimServer({ policy: { type: 'solver', strategy: 'rlm', chunkChars: 400_000 } });
    try {
      const task = generateTask('needle', { seed: 5, contextChars: CONTEXT_CHARS });
      const depths = new Set<number>();
      const rlm = new RLM({ baseUrl: rlmSim.baseUrl, model: 'sim-large', subModel: 'sim-small', maxDepth: 2, env: {} });
      const result = await rlm.completion(task.context, task.query, {
        onEvent: (event) => {
          if (event.type === 'session-start') depths.add(event.depth);
        },
      });
      expect(result.stopReason).toBe('final');
      expect(gradeAnswer(task, result.answer)).toBe(1);
      expect([...depths].sort()).toEqual([0, 1]);
      // Three child sessions (400k-character chunks) each fanned out their own llm_query calls.
      expect(rlmSim.stats().requestsByKind.root).toBeGreaterThan(result.iterations + 3);
    } finally {
      await rlmSim.close();
    }
  });
});
