/**
 * What GET /v1/models lists: only names that work. With an upstream that
 * lists its models: each of them (restricted to --models when given) as a
 * plain name (proxied) and as `rlm:<name>` (an RLM over it). Without a listing
 * (no upstream, or one that has no /models): the configured models as
 * `rlm:<name>`, and as plain names when there is an upstream to proxy to.
 */
import { MODEL_PREFIX } from './chat-request.ts';
import { listUpstreamModels } from './upstream-proxy.ts';
import type { Upstream } from './upstream-proxy.ts';

export interface ModelListSource {
  readonly upstream: Upstream | undefined;
  /** --models, or undefined. */
  readonly allowedModels: readonly string[] | undefined;
  /** The server's own root and sub-model, listed when nothing better is known. */
  readonly configuredModels: readonly string[];
}

export async function servedModelIds(source: ModelListSource): Promise<string[]> {
  const listed = source.upstream === undefined ? undefined : await listUpstreamModels(source.upstream);
  const base =
    listed === undefined
      ? (source.allowedModels ?? source.configuredModels)
      : source.allowedModels === undefined
        ? listed
        : source.allowedModels.filter((model) => listed.includes(model));
  const unique = [...new Set(base)];
  return [
    ...unique.map((model) => `${MODEL_PREFIX}${model}`),
    ...(source.upstream === undefined ? [] : unique),
  ];
}
