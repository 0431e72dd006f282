/**
 * The simulated OpenAI-compatible model server (DESIGN section 5): a real
 * node:http server the real `openai` client talks to. Routes:
 * POST /v1/chat/completions, GET /v1/models, GET /v1/models/:id.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertNever } from '@rlm/shared';
import type { Policy } from '../policies/policy.ts';
import { createScriptedPolicy } from '../policies/scripted.ts';
import { createSolverPolicy } from '../policies/solver.ts';
import {
  handleChatCompletion,
  respondWithError,
  type ChatCompletionDeps,
} from './chat-completions.ts';
import { createConcurrencyGate } from './concurrency-gate.ts';
import { createFaultInjector } from './faults.ts';
import { HttpError, sendJson } from './http-io.ts';
import { SimServerOptions, type ResolvedSimServerOptions } from './options.ts';
import { createPrefixCache } from './prefix-cache.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { createStatsRecorder, type SimStats } from './stats.ts';

export interface SimServer {
  /** e.g. `http://127.0.0.1:41234/v1`, ready for the openai client's `baseURL`. */
  readonly baseUrl: string;
  readonly port: number;
  stats(): SimStats;
  /** Zeroes the counters, forgets the prefix cache and the rate-limit window. */
  resetStats(): void;
  /** Stops listening and ends every open connection, including never-answered (timeout-fault) ones. */
  close(): Promise<void>;
}

export function createPolicy(options: ResolvedSimServerOptions['policy']): Policy {
  switch (options.type) {
    case 'scripted':
      return createScriptedPolicy(options.replies);
    case 'solver':
      return createSolverPolicy(options);
    case 'custom':
      return options.policy;
    default:
      return assertNever(options);
  }
}

export async function startSimServer(input: SimServerOptions = {}): Promise<SimServer> {
  const options = SimServerOptions.parse(input);
  const stats = createStatsRecorder();
  const prefixCache = createPrefixCache(options.prefixCacheEntries);
  const rateLimiter = createRateLimiter(
    options.rateLimit?.requestsPerMinute,
    options.now ?? Date.now,
  );
  const lifetime = new AbortController();
  let policyIndex = 0;
  let completionCounter = 0;
  const deps: ChatCompletionDeps = {
    options,
    policy: createPolicy(options.policy),
    stats,
    rateLimiter,
    faults: createFaultInjector(options.faults),
    gate: createConcurrencyGate(options.maxConcurrency),
    prefixCache,
    serverSignal: lifetime.signal,
    nextPolicyIndex: () => policyIndex++,
    nextCompletionId: () => `chatcmpl-sim-${(completionCounter += 1)}`,
  };

  const server = createServer((request, response) => {
    route(request, response, deps).catch((error: unknown) => respondWithError(response, error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;

  let closing: Promise<void> | undefined;
  return {
    baseUrl: `http://${hostForUrl}:${port}/v1`,
    port,
    stats: () => stats.snapshot(),
    resetStats() {
      stats.reset();
      prefixCache.clear();
      rateLimiter.reset();
    },
    close() {
      // Idempotent: tests may close early and again in their teardown.
      closing ??= new Promise<void>((resolve, reject) => {
        lifetime.abort(new Error('sim server closed'));
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function route(
  request: IncomingMessage,
  response: ServerResponse,
  deps: ChatCompletionDeps,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://sim').pathname.replace(/\/+$/, '');
  if (path === '/v1/chat/completions') {
    if (request.method !== 'POST') throw new HttpError(405, 'use POST for /v1/chat/completions');
    await handleChatCompletion(request, response, deps);
    return;
  }
  if (request.method === 'GET' && path === '/v1/models') {
    sendJson(response, 200, { object: 'list', data: deps.options.models.map(describeModel) });
    return;
  }
  const modelMatch = /^\/v1\/models\/(.+)$/.exec(path);
  if (request.method === 'GET' && modelMatch?.[1]) {
    const id = decodeURIComponent(modelMatch[1]);
    if (!deps.options.anyModel && !deps.options.models.includes(id)) {
      throw new HttpError(404, `The model '${id}' does not exist`, { code: 'model_not_found' });
    }
    sendJson(response, 200, describeModel(id));
    return;
  }
  throw new HttpError(404, `no route for ${request.method} ${path}`);
}

function describeModel(id: string): unknown {
  // A fixed creation time keeps responses deterministic.
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'rlm-sim' };
}
