/** The assertions every ResultCache driver must pass. */
import { describe, expect, it } from 'vitest';
import type { CompletionResponse, ResultCache } from '@rlm/shared';

const response = (content: string): CompletionResponse => ({
  content,
  model: 'sim-small',
  usage: { inputTokens: 5, outputTokens: 1, cachedInputTokens: 2 },
  finishReason: 'stop',
});

export function describeResultCacheContract(name: string, create: () => ResultCache): void {
  describe(`${name} (ResultCache contract)`, () => {
    it('answers undefined on a miss', async () => {
      expect(await create().get('never-set')).toBeUndefined();
    });

    it('round-trips a result', async () => {
      const cache = create();
      await cache.set('key-1', response('one'));
      expect(await cache.get('key-1')).toEqual(response('one'));
    });

    it('keeps keys apart and lets a later set replace an earlier one', async () => {
      const cache = create();
      await cache.set('key-1', response('one'));
      await cache.set('key-2', response('two'));
      await cache.set('key-1', response('uno'));
      expect(await cache.get('key-1')).toEqual(response('uno'));
      expect(await cache.get('key-2')).toEqual(response('two'));
    });

    it('round-trips a response without optional fields', async () => {
      const cache = create();
      const bare: CompletionResponse = {
        content: '',
        model: 'm',
        usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
      };
      await cache.set('bare', bare);
      expect(await cache.get('bare')).toEqual(bare);
    });
  });
}
