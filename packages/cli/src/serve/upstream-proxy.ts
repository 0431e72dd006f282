/**
 * `rlm serve` as a proxy: requests for a plain model name (and `rlm:` requests
 * short enough for --direct-below) go straight to the upstream endpoint, so one
 * endpoint serves both. The body is forwarded as the caller sent it (minus our
 * `rlm` member), with the operator's upstream key; the answer, streamed or not,
 * is relayed as it comes. Whatever the upstream answers is scrubbed of the key
 * (error bodies, and 200 bodies as they stream).
 */
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { scrubSecrets } from '@rlm/shared';
import { ApiError } from './api-error.ts';
import { secretScrubbingStream } from './secret-scrubbing-stream.ts';

export interface Upstream {
  /** The OpenAI-compatible base URL, ending in /v1 (or the provider's equivalent). */
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
}

const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export function upstreamOf(config: {
  readonly baseUrl?: string;
  readonly apiKey?: string;
}): Upstream | undefined {
  if (config.baseUrl === undefined && config.apiKey === undefined) return undefined;
  return { baseUrl: config.baseUrl ?? OPENAI_BASE_URL, apiKey: config.apiKey };
}

function headersFor(upstream: Upstream): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...(upstream.apiKey === undefined ? {} : { authorization: `Bearer ${upstream.apiKey}` }),
  };
}

/** Forwards one chat completion body and relays the upstream's answer; aborts with `signal` (the caller left). */
export async function proxyChatCompletion(
  response: ServerResponse,
  body: Record<string, unknown>,
  upstream: Upstream,
  signal: AbortSignal,
): Promise<void> {
  const { rlm: _ours, ...forwarded } = body;
  let answer: Response;
  try {
    answer = await fetch(`${upstream.baseUrl.replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      headers: headersFor(upstream),
      body: JSON.stringify(forwarded),
      signal,
    });
  } catch (error) {
    if (signal.aborted) return;
    throw new ApiError(
      502,
      'server_error',
      'upstream_unreachable',
      scrubSecrets(
        `the upstream model endpoint is unreachable: ${error instanceof Error ? error.message : String(error)}`,
        [upstream.apiKey],
      ),
    );
  }
  const contentType = answer.headers.get('content-type') ?? 'application/json';
  if (!answer.ok || answer.body === null) {
    const text = scrubSecrets(await answer.text(), [upstream.apiKey]);
    response.writeHead(answer.status, { 'content-type': contentType, 'x-rlm-route': 'proxy' });
    response.end(text);
    return;
  }
  response.writeHead(answer.status, { 'content-type': contentType, 'x-rlm-route': 'proxy' });
  try {
    await pipeline(
      Readable.fromWeb(answer.body),
      secretScrubbingStream([upstream.apiKey]),
      response,
      { signal },
    );
  } catch (error) {
    // The caller went away mid-stream: nothing left to answer.
    if (!signal.aborted) throw error;
  }
}

/** The upstream's model ids, or undefined when it cannot list them (some servers have no /models). */
export async function listUpstreamModels(upstream: Upstream): Promise<string[] | undefined> {
  try {
    const answer = await fetch(`${upstream.baseUrl.replace(/\/$/, '')}/models`, {
      headers: headersFor(upstream),
      signal: AbortSignal.timeout(10_000),
    });
    if (!answer.ok) return undefined;
    const body = (await answer.json()) as { data?: Array<{ id?: unknown }> };
    const ids = (body.data ?? [])
      .map((model) => model.id)
      .filter((id): id is string => typeof id === 'string');
    return ids;
  } catch {
    return undefined;
  }
}

/** Whether the upstream knows `model` (GET /models/<id> answers 2xx); false when it cannot say. */
export async function upstreamHasModel(upstream: Upstream, model: string): Promise<boolean> {
  try {
    const answer = await fetch(
      `${upstream.baseUrl.replace(/\/$/, '')}/models/${encodeURIComponent(model)}`,
      {
        headers: headersFor(upstream),
        signal: AbortSignal.timeout(10_000),
      },
    );
    await answer.body?.cancel();
    return answer.ok;
  } catch {
    return false;
  }
}
