/**
 * (e) Cache savings: two questions over the same labelled corpus through one
 * RLM instance (like `rlm demo`). The second question's sub-calls are the
 * first one's prompts again, so the sub-call result cache answers them; the
 * simulator's prefix cache reports the cached share of input tokens.
 */
import { RLM } from '@rlm/sdk';
import { generateOolongTask, startSimServer } from '@rlm/sim';

export interface CacheSavingsResult {
  readonly contextChars: number;
  readonly firstProviderCalls: number;
  readonly secondProviderCalls: number;
  readonly secondSubcalls: number;
  readonly secondCacheHits: number;
  /** Share of the second question's sub-calls answered without a provider request. */
  readonly subcallHitRatio: number;
  /** Share of all input tokens the provider reported as prefix-cached, both questions. */
  readonly prefixCachedInputRatio: number;
}

export async function benchCacheSavings(contextChars: number): Promise<CacheSavingsResult> {
  const sim = await startSimServer({ policy: { type: 'solver' } });
  try {
    const rlm = new RLM({
      baseUrl: sim.baseUrl,
      model: 'sim-large',
      subModel: 'sim-small',
      env: {},
    });
    const ask = (questionKind: 'count' | 'most-common') => {
      const task = generateOolongTask({
        seed: 2026,
        contextChars,
        questionKind,
        userFilter: false,
        dateFilter: false,
      });
      return rlm.completion(task.context, task.query);
    };
    const first = await ask('count');
    const second = await ask('most-common');
    const input = first.usage.inputTokens + second.usage.inputTokens;
    const cached = first.usage.cachedInputTokens + second.usage.cachedInputTokens;
    return {
      contextChars,
      firstProviderCalls: first.usage.calls,
      secondProviderCalls: second.usage.calls,
      secondSubcalls: second.subcalls,
      secondCacheHits: second.cacheHits,
      subcallHitRatio:
        second.subcalls === 0 ? 0 : Math.round((second.cacheHits / second.subcalls) * 1000) / 1000,
      prefixCachedInputRatio: input === 0 ? 0 : Math.round((cached / input) * 1000) / 1000,
    };
  } finally {
    await sim.close();
  }
}
