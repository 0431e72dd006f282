/**
 * The model and budget flags shared by `rlm run` and `rlm demo`, mapped onto
 * EngineConfig settings. Values stay strings here: loadConfig validates them
 * and names the flag in its error.
 */
import type { ParseArgsConfig } from 'node:util';

export const ENGINE_FLAG_OPTIONS = {
  model: { type: 'string' },
  'sub-model': { type: 'string' },
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
  'max-depth': { type: 'string' },
  'max-iterations': { type: 'string' },
  'max-tokens': { type: 'string' },
  'max-cost': { type: 'string' },
  price: { type: 'string' },
  timeout: { type: 'string' },
  'step-timeout': { type: 'string' },
  concurrency: { type: 'string' },
  redis: { type: 'string' },
  'redis-cluster': { type: 'string' },
  'record-content': { type: 'boolean' },
  'log-level': { type: 'string' },
  repl: { type: 'string' },
  'context-window': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const FLAG_TO_SETTING: Record<keyof typeof ENGINE_FLAG_OPTIONS, string> = {
  model: 'model',
  'sub-model': 'subModel',
  'base-url': 'baseUrl',
  'api-key': 'apiKey',
  'max-depth': 'maxDepth',
  'max-iterations': 'maxIterations',
  'max-tokens': 'maxTokens',
  'max-cost': 'maxCostUsd',
  price: 'modelPrice',
  timeout: 'timeoutSec',
  'step-timeout': 'stepTimeoutSec',
  concurrency: 'concurrency',
  redis: 'redisUrl',
  'redis-cluster': 'redisClusterNodes',
  'record-content': 'recordContent',
  'log-level': 'logLevel',
  repl: 'repl',
  'context-window': 'contextWindow',
};

export function engineOverrides(values: Record<string, unknown>): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const [flag, setting] of Object.entries(FLAG_TO_SETTING)) {
    const value = values[flag];
    if (value !== undefined) overrides[setting] = value;
  }
  return overrides;
}
