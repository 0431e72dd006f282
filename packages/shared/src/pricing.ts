/**
 * Prices per model in USD per million tokens. The defaults are list prices at
 * the time of writing; users override or extend them with the `prices` setting.
 * A model missing from the table costs 0 (and `--max-cost` cannot hold it).
 */
import { z } from 'zod';
import type { TokenUsage } from './jobs/task-schemas.ts';

export const ModelPrice = z
  .object({
    inputPerMillion: z.number().nonnegative(),
    outputPerMillion: z.number().nonnegative(),
    /** Price of input tokens served from the provider's prefix cache. */
    cachedInputPerMillion: z.number().nonnegative().optional(),
  })
  .strict();
export type ModelPrice = z.infer<typeof ModelPrice>;

export const PriceTable = z.record(z.string(), ModelPrice);
export type PriceTable = z.infer<typeof PriceTable>;

export const DEFAULT_PRICES: PriceTable = {
  'gpt-5': { inputPerMillion: 1.25, outputPerMillion: 10, cachedInputPerMillion: 0.125 },
  'gpt-5-mini': { inputPerMillion: 0.25, outputPerMillion: 2, cachedInputPerMillion: 0.025 },
  'gpt-5-nano': { inputPerMillion: 0.05, outputPerMillion: 0.4, cachedInputPerMillion: 0.005 },
  'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 },
  'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6, cachedInputPerMillion: 0.1 },
  'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 },
  'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 },
  // The simulator's models are priced like gpt-5 and gpt-5-mini so budgets behave realistically.
  'sim-large': { inputPerMillion: 1.25, outputPerMillion: 10, cachedInputPerMillion: 0.125 },
  'sim-small': { inputPerMillion: 0.25, outputPerMillion: 2, cachedInputPerMillion: 0.025 },
};

export function priceOf(prices: PriceTable, model: string): ModelPrice | undefined {
  return prices[model];
}

/** Cost of a call's usage; cached input is billed at the cached rate when the table has one. */
export function costOf(price: ModelPrice | undefined, usage: TokenUsage): number {
  if (price === undefined) return 0;
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const cachedRate = price.cachedInputPerMillion ?? price.inputPerMillion;
  return (
    ((usage.inputTokens - cached) * price.inputPerMillion +
      cached * cachedRate +
      usage.outputTokens * price.outputPerMillion) /
    1_000_000
  );
}
