/**
 * The operator's settings bound every caller: an `rlm` option may tighten a
 * limit (a smaller budget, depth, turn count or timeout) but never loosen it,
 * a `sub_model` must be one the operator allows, and a cost cap needs a price
 * for the models it covers. Errors are 400s naming the request field, since
 * the caller cannot see or change the server's flags.
 */
import type { RequestOverrides } from '@rlm/sdk';
import { priceOf } from '@rlm/shared';
import type { EngineConfig } from '@rlm/shared';
import { invalidRequest } from './api-error.ts';

type Limit = 'maxDepth' | 'maxIterations' | 'maxTokens' | 'maxCostUsd' | 'timeoutSec';

/** Request field -> setting, with the whole-number rule of each. */
const LIMIT_FIELDS: ReadonlyArray<readonly [string, Limit, boolean]> = [
  ['max_depth', 'maxDepth', true],
  ['max_iterations', 'maxIterations', true],
  ['max_tokens', 'maxTokens', true],
  ['max_cost_usd', 'maxCostUsd', false],
  ['timeout_sec', 'timeoutSec', false],
];

export interface OperatorPolicy {
  readonly config: EngineConfig;
  /** Models callers may name (root and sub-model); undefined: any. */
  readonly allowedModels: readonly string[] | undefined;
}

/** Checks one request's overrides against the operator's settings; throws a 400 ApiError. */
export function assertWithinOperatorLimits(
  overrides: RequestOverrides,
  rootModel: string,
  policy: OperatorPolicy,
): void {
  const { config } = policy;
  for (const [field, setting, integer] of LIMIT_FIELDS) {
    const value = overrides[setting];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0) || (integer && !Number.isInteger(value))) {
      throw invalidRequest(
        `rlm.${field} must be a positive ${integer ? 'whole number' : 'number'}`,
        'invalid_request',
        `rlm.${field}`,
      );
    }
    const limit = config[setting];
    if (limit !== undefined && value > limit) {
      throw invalidRequest(
        `rlm.${field} (${value}) is above this server's limit of ${limit}: callers may only lower it`,
        'invalid_request',
        `rlm.${field}`,
      );
    }
  }
  const subModel = overrides.subModel;
  if (
    subModel !== undefined &&
    policy.allowedModels !== undefined &&
    !policy.allowedModels.includes(subModel)
  ) {
    throw invalidRequest(
      `rlm.sub_model "${subModel}" is not served here (allowed: ${policy.allowedModels.join(', ')})`,
      'invalid_request',
      'rlm.sub_model',
    );
  }
  const maxCost = overrides.maxCostUsd ?? config.maxCostUsd;
  const unpriced = unpricedUnderCap(config, maxCost, rootModel, subModel);
  if (unpriced.length > 0) {
    throw invalidRequest(
      `a cost cap (rlm.max_cost_usd or the server's) needs a price for ${unpriced.map((model) => `"${model}"`).join(' and ')}, and this server has none: ask the operator to price it, or choose a priced model`,
      'invalid_request',
      overrides.maxCostUsd === undefined ? 'model' : 'rlm.max_cost_usd',
    );
  }
}

/**
 * The models of an `rlm:<rootModel>` request a cost cap cannot price (none without a cap, or with
 * --price, which prices whatever models a request names). GET /v1/models leaves out the `rlm:` names
 * the server's own cap refuses.
 */
export function unpricedUnderCap(
  config: EngineConfig,
  maxCostUsd: number | undefined,
  rootModel: string,
  subModel?: string,
): string[] {
  if (maxCostUsd === undefined || config.modelPrice !== undefined) return [];
  const models = [rootModel, subModel ?? config.subModel ?? rootModel];
  return [...new Set(models)].filter((model) => priceOf(config.prices, model) === undefined);
}
