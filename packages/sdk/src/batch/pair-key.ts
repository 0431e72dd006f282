/**
 * The identity of one (document, query) pair of a batch: what makes a re-run
 * skip it. It hashes the document id, the sha256 of the document's text, the
 * query and the answer-shaping configuration, so editing a document, a query,
 * the model or a budget makes the pair new again, while endpoint, API key and
 * concurrency (which do not change the answer's meaning) do not.
 */
import { hashValue, sha256Hex } from '@rlm/shared';
import type { EngineConfig } from '@rlm/shared';

/** The settings that shape an answer; never secrets. */
export function configFingerprint(config: EngineConfig, schema: unknown): string {
  return hashValue({
    model: config.model,
    subModel: config.subModel ?? config.model,
    maxDepth: config.maxDepth,
    maxIterations: config.maxIterations,
    maxTokens: config.maxTokens ?? null,
    maxCostUsd: config.maxCostUsd ?? null,
    timeoutSec: config.timeoutSec ?? null,
    maxOutputTokens: config.maxOutputTokens,
    temperature: config.temperature ?? null,
    schema: schema ?? null,
  });
}

export function pairKey(input: {
  readonly id: string;
  readonly text: string;
  readonly query: string;
  readonly configFingerprint: string;
}): string {
  return hashValue({
    id: input.id,
    document: sha256Hex(input.text),
    query: input.query,
    config: input.configFingerprint,
  });
}
