/**
 * `rlm serve`'s HTTP server (node:http) and its routes:
 *   GET  /healthz              liveness + requests in flight (no auth)
 *   GET  /v1/models            the names that work: `rlm:<model>` and proxied plain names (model-list.ts)
 *   POST /v1/chat/completions  one RLM request, or a proxied one (chat-completion.ts)
 * Every route but /healthz needs a caller token when tokens are configured.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RLM } from '@rlm/sdk';
import { ApiError, sendApiError, toApiError } from './api-error.ts';
import { assertCaller } from './caller-auth.ts';
import { handleChatCompletion } from './chat-completion.ts';
import type { ConversationRegistry } from './conversation-registry.ts';
import {
  applySlowClientTimeouts,
  BodyReaders,
  DEFAULT_BODY_LIMITS,
  defaultMaxBodyReaders,
  readBodyWithin,
  SERVER_OPTIONS,
} from './body-reader.ts';
import type { BodyLimits } from './body-reader.ts';
import { servedModelIds } from './model-list.ts';
import { unpricedUnderCap } from './operator-limits.ts';
import { RequestSlots } from './request-limits.ts';
import type { Upstream } from './upstream-proxy.ts';

export interface ServeOptions {
  readonly rlm: RLM;
  readonly host: string;
  readonly port: number;
  readonly callerTokens: readonly string[];
  readonly maxBodyBytes: number;
  /** Deadlines of a slow client (body-reader.ts); the defaults when absent. */
  readonly bodyTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
  /** Bodies read at once (503 past it); default `defaultMaxBodyReaders(maxRequests)`. */
  readonly maxBodyReaders?: number;
  readonly maxRequests: number;
  readonly retryAfterSec: number;
  /** Root models listed by /v1/models and accepted; undefined: any `rlm:<model>`, listing the default model. */
  readonly models: readonly string[] | undefined;
  /** The model endpoint plain names are proxied to; undefined: `rlm:` names only. */
  readonly upstream?: Upstream;
  /** --direct-below: `rlm:` requests under this many tokens go straight to the model. */
  readonly directBelowTokens?: number;
  /** Reports unexpected failures (never request content or tokens). */
  readonly log: (line: string) => void;
  /** Conversations kept across requests (`rlm.conversation`). */
  readonly conversations: ConversationRegistry;
}

export interface ServeServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startServeServer(options: ServeOptions): Promise<ServeServer> {
  const slots = new RequestSlots(options.maxRequests, options.retryAfterSec);
  const bodyLimits: BodyLimits = {
    maxBytes: options.maxBodyBytes,
    bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_LIMITS.bodyTimeoutMs,
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_BODY_LIMITS.headersTimeoutMs,
  };
  const readers = new BodyReaders(options.maxBodyReaders ?? defaultMaxBodyReaders(options.maxRequests));
  const server: Server = createServer(SERVER_OPTIONS, (request, response) => {
    route(request, response, options, slots, { limits: bodyLimits, readers }).catch((error: unknown) => {
      const apiError = toApiError(error);
      if (apiError.status >= 500)
        options.log(
          `serve: ${request.method ?? ''} ${request.url ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      sendApiError(response, apiError);
    });
  });
  applySlowClientTimeouts(server, bodyLimits);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => options.conversations.close()),
  };
}

async function route(
  request: IncomingMessage,
  response: ServerResponse,
  options: ServeOptions,
  slots: RequestSlots,
  bodies: { readonly limits: BodyLimits; readonly readers: BodyReaders },
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path === '/healthz' && request.method === 'GET') {
    sendJson(response, 200, {
      status: 'ok',
      active: slots.active,
      capacity: slots.capacity,
      conversations: options.conversations.size,
    });
    return;
  }
  const callerToken =
    path === '/v1/models' || path === '/v1/chat/completions' ? assertCaller(request, options.callerTokens) : undefined;
  if (path === '/v1/models' && request.method === 'GET') {
    const config = options.rlm.config;
    const ids = await servedModelIds({
      upstream: options.upstream,
      allowedModels: options.models,
      configuredModels: [config.model, ...(config.subModel === undefined ? [] : [config.subModel])],
      runsAsRlm: (model) => unpricedUnderCap(config, config.maxCostUsd, model).length === 0,
    });
    sendJson(response, 200, {
      object: 'list',
      data: ids.map((id) => ({
        id,
        object: 'model',
        created: 0,
        owned_by: 'rlm',
      })),
    });
    return;
  }
  if (path === '/v1/chat/completions' && request.method === 'POST') {
    // The whole body first: a slow client must never hold a slot (body-reader.ts).
    const leave = bodies.readers.enter();
    let body: Buffer;
    try {
      body = await readBodyWithin(request, bodies.limits);
    } finally {
      leave();
    }
    const release = slots.acquire();
    try {
      await handleChatCompletion(response, body, {
        rlm: options.rlm,
        allowedModels: options.models,
        upstream: options.upstream,
        directBelowTokens: options.directBelowTokens,
        conversations: options.conversations,
        callerToken,
      });
    } finally {
      release();
    }
    return;
  }
  if (path === '/v1/models' || path === '/v1/chat/completions') {
    throw new ApiError(
      405,
      'invalid_request_error',
      'method_not_allowed',
      `${request.method ?? ''} is not allowed on ${path}`,
    );
  }
  throw new ApiError(404, 'invalid_request_error', 'not_found', `no route ${path}`);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
