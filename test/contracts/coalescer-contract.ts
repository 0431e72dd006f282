/** The assertions every CallCoalescer driver must pass (LocalCallCoalescer in process, RedisCallCoalescer across processes). */
import { describe, expect, it } from 'vitest';
import type { CallCoalescer, CompletionResponse } from '@rlm/shared';

const response: CompletionResponse = {
  content: 'the answer',
  model: 'sim-small',
  usage: { inputTokens: 12, outputTokens: 3, cachedInputTokens: 0 },
  finishReason: 'stop',
};

/**
 * A compute function that counts its runs and finishes a macrotask after it
 * starts: by then every concurrent caller has found the call in flight.
 */
function countedCompute(outcomes: ReadonlyArray<'fail' | 'succeed'> = ['succeed']) {
  const state = {
    runs: 0,
    compute: async (): Promise<CompletionResponse> => {
      const outcome = outcomes[Math.min(state.runs, outcomes.length - 1)];
      state.runs += 1;
      await new Promise(setImmediate);
      if (outcome === 'fail') throw new Error('provider exploded');
      return response;
    },
  };
  return state;
}

export function describeCoalescerContract(name: string, create: () => CallCoalescer): void {
  describe(`${name} (CallCoalescer contract)`, () => {
    it('runs compute once for 10 concurrent identical keys', async () => {
      const coalescer = create();
      const counted = countedCompute();
      const calls = Array.from({ length: 10 }, () => coalescer.coalesce('key-1', counted.compute));
      const results = await Promise.all(calls);
      expect(counted.runs).toBe(1);
      expect(results.map((result) => result.response)).toEqual(
        Array.from({ length: 10 }, () => response),
      );
      expect(results.filter((result) => !result.joined)).toHaveLength(1);
    });

    it('lets a joiner recompute when the owner fails', async () => {
      const coalescer = create();
      const counted = countedCompute(['fail', 'succeed']);
      const calls = Array.from({ length: 10 }, () => coalescer.coalesce('key-1', counted.compute));
      const settled = await Promise.allSettled(calls);
      const failed = settled.filter((result) => result.status === 'rejected');
      const answered = settled.flatMap((result) =>
        result.status === 'fulfilled' ? [result.value] : [],
      );
      expect(failed).toHaveLength(1); // the owner's own caller sees its failure
      expect(answered).toHaveLength(9);
      expect(answered.every((result) => result.response.content === response.content)).toBe(true);
      expect(counted.runs).toBe(2);
    });

    it('does not join calls with different keys', async () => {
      const coalescer = create();
      const counted = countedCompute();
      const calls = [
        coalescer.coalesce('key-1', counted.compute),
        coalescer.coalesce('key-2', counted.compute),
      ];
      const results = await Promise.all(calls);
      expect(counted.runs).toBe(2);
      expect(results.every((result) => !result.joined)).toBe(true);
    });
  });
}
