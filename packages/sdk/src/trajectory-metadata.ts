/**
 * The first line of a trajectory: what a reader needs to understand and
 * replay the run (settings, budgets, the context's size and hash) and
 * nothing secret: no API key, no endpoint URL, not the context itself.
 */
import { canonicalJson, describeContext, redisTargetOf, sha256Hex, TRAJECTORY_VERSION } from '@rlm/shared';
import type { ContextValue, EngineConfig, SessionSettings, TrajectoryMetadata } from '@rlm/shared';

export function buildTrajectoryMetadata(
  config: EngineConfig,
  settings: SessionSettings,
  context: ContextValue,
  query: string,
  startedAt: Date,
): TrajectoryMetadata {
  const described = describeContext(context);
  return {
    type: 'metadata',
    version: TRAJECTORY_VERSION,
    startedAt: startedAt.toISOString(),
    mode: redisTargetOf(config) === undefined ? 'embedded' : 'cluster',
    query,
    settings,
    limits: {
      ...(config.maxTokens === undefined ? {} : { maxTokens: config.maxTokens }),
      ...(config.maxCostUsd === undefined ? {} : { maxCostUsd: config.maxCostUsd }),
      ...(config.timeoutSec === undefined ? {} : { timeoutSec: config.timeoutSec }),
      concurrency: config.concurrency,
    },
    context: {
      type: described.type,
      totalChars: described.totalChars,
      ...(described.items === undefined ? {} : { items: described.items }),
      // Text is hashed as is, structured contexts over their canonical JSON.
      sha256: sha256Hex(typeof context === 'string' ? context : canonicalJson(context)),
    },
  };
}
