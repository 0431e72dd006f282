/**
 * A cost cap needs a price for every model the request uses: a model missing
 * from the price table would count as free and the cap would never hold. Such
 * a request is refused before any call, naming the model and the two ways to
 * price it.
 */
import { priceOf, RlmError } from '@rlm/shared';
import type { EngineConfig } from '@rlm/shared';

export function assertPricedForBudget(config: EngineConfig): void {
  if (config.maxCostUsd === undefined) return;
  const models = [...new Set([config.model, config.subModel ?? config.model])];
  const unpriced = models.filter((model) => priceOf(config.prices, model) === undefined);
  if (unpriced.length === 0) return;
  const names = unpriced.map((model) => `"${model}"`).join(' and ');
  throw new RlmError(
    'config_invalid',
    `--max-cost: no price for model ${names}, so the cost cap cannot hold; give a price with --price IN,OUT (USD per million input,output tokens) or RLM_PRICES='{"${unpriced[0] ?? ''}":{"inputPerMillion":0.5,"outputPerMillion":1.5}}'`,
  );
}
