/**
 * What GET /v1/models lists: only names that work. With an upstream that
 * lists its models: each of them as a plain name (proxied) and as
 * `rlm:<name>` (an RLM over it); with --models, those of them the upstream
 * lists or answers GET /models/<id> for (a stand-in such as `rlm sim` serves
 * more than it lists). Without a listing (no upstream, or one that has no
 * /models): the configured models as `rlm:<name>`, and as plain names when
 * there is an upstream to proxy to. An `rlm:` name the server's cost cap would
 * refuse (a model without a price) is left out; its plain name still proxies.
 */
import { MODEL_PREFIX } from './chat-request.ts';
import { listUpstreamModels, upstreamHasModel } from './upstream-proxy.ts';
import type { Upstream } from './upstream-proxy.ts';

export interface ModelListSource {
  readonly upstream: Upstream | undefined;
  /** --models, or undefined. */
  readonly allowedModels: readonly string[] | undefined;
  /** The server's own root and sub-model, listed when nothing better is known. */
  readonly configuredModels: readonly string[];
  /** Whether `rlm:<model>` can run here (the server's cost cap needs a price for it); default: yes. */
  readonly runsAsRlm?: (model: string) => boolean;
}

export async function servedModelIds(source: ModelListSource): Promise<string[]> {
  const upstream = source.upstream;
  const listed = upstream === undefined ? undefined : await listUpstreamModels(upstream);
  let base: readonly string[];
  if (upstream === undefined || listed === undefined)
    base = source.allowedModels ?? source.configuredModels;
  else if (source.allowedModels === undefined) base = listed;
  else {
    const known = await Promise.all(
      source.allowedModels.map(
        async (model) => listed.includes(model) || (await upstreamHasModel(upstream, model)),
      ),
    );
    base = source.allowedModels.filter((_model, index) => known[index] === true);
  }
  const unique = [...new Set(base)];
  const runsAsRlm = source.runsAsRlm ?? (() => true);
  return [
    ...unique.filter(runsAsRlm).map((model) => `${MODEL_PREFIX}${model}`),
    ...(source.upstream === undefined ? [] : unique),
  ];
}
