/**
 * POST /v1/chat/completions: the request pipeline of the simulated provider.
 * Order matters and mirrors a real provider: validate, count, rate-limit,
 * inject faults, wait for a concurrency slot, check the context window, ask
 * the policy, bill usage (with prefix-cache hits), wait out the latency
 * model, answer (whole or streamed).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { countMessageTokens, countTokens } from '@rlm/shared';
import { isEngineSessionRequest } from '../policies/engine-transcript.ts';
import type { Policy, PolicyReply, SimMessage } from '../policies/policy.ts';
import {
  buildChunk,
  buildCompletion,
  buildUsage,
  buildUsageChunk,
  splitForStreaming,
  type CompletionDraft,
} from './completion-format.ts';
import type { ConcurrencyGate } from './concurrency-gate.ts';
import type { FaultInjector } from './faults.ts';
import { HttpError, readJsonBody, sendError, sendJson } from './http-io.ts';
import type { ResolvedSimServerOptions } from './options.ts';
import { renderPromptForCache, type PrefixCache } from './prefix-cache.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { ChatCompletionBody, flattenMessages } from './request-schema.ts';
import type { StatsRecorder } from './stats.ts';

export interface ChatCompletionDeps {
  readonly options: ResolvedSimServerOptions;
  readonly policy: Policy;
  readonly stats: StatsRecorder;
  readonly rateLimiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly gate: ConcurrencyGate;
  readonly prefixCache: PrefixCache;
  /** Aborts when the server closes. */
  readonly serverSignal: AbortSignal;
  /** Hands out policy indexes and completion ids, in arrival order. */
  readonly nextPolicyIndex: () => number;
  readonly nextCompletionId: () => string;
}

export async function handleChatCompletion(
  request: IncomingMessage,
  response: ServerResponse,
  deps: ChatCompletionDeps,
): Promise<void> {
  const clientGone = new AbortController();
  response.on('close', () => {
    if (response.writableFinished) return;
    deps.stats.clientGone();
    clientGone.abort(new Error('client closed the connection'));
  });
  const signal = AbortSignal.any([clientGone.signal, deps.serverSignal]);

  const parsed = ChatCompletionBody.safeParse(await readJsonBody(request));
  if (!parsed.success) {
    throw new HttpError(
      400,
      `invalid chat completion request: ${parsed.error.issues[0]?.message ?? 'bad body'}`,
    );
  }
  const body = parsed.data;
  const messages = flattenMessages(body);
  deps.stats.received(body.model, messages, isEngineSessionRequest(messages) ? 'root' : 'subcall');

  try {
    await answer(body, messages, response, deps, signal);
  } catch (error) {
    if (error instanceof HttpError && error.status !== 429 && !error.injected) {
      deps.stats.failed();
    }
    throw error;
  }
}

async function answer(
  body: ChatCompletionBody,
  messages: readonly SimMessage[],
  response: ServerResponse,
  deps: ChatCompletionDeps,
  signal: AbortSignal,
): Promise<void> {
  const { options } = deps;
  if (!options.anyModel && !options.models.includes(body.model)) {
    throw new HttpError(404, `The model '${body.model}' does not exist`, {
      code: 'model_not_found',
    });
  }
  const retryAfterSeconds = deps.rateLimiter.tryAcquire();
  if (retryAfterSeconds !== undefined) {
    deps.stats.rateLimited();
    throw new HttpError(
      429,
      `Rate limit reached: ${options.rateLimit?.requestsPerMinute} requests per minute`,
      {
        type: 'requests',
        code: 'rate_limit_exceeded',
        headers: { 'retry-after': String(retryAfterSeconds) },
      },
    );
  }
  const fault = deps.faults.roll();
  if (fault?.kind === 'error') {
    deps.stats.fault('error');
    throw new HttpError(
      fault.status,
      'The server had an error while processing your request (injected fault)',
      {
        injected: true,
      },
    );
  }
  if (fault?.kind === 'timeout') {
    deps.stats.fault('timeout');
    // Never answer: the client gives up, or the server's close() ends the socket.
    return;
  }

  const release = await deps.gate.acquire(signal);
  deps.stats.slotTaken();
  try {
    const promptTokens = countMessageTokens(
      messages.map((message) => ({ content: message.content ?? '' })),
    );
    if (promptTokens > options.contextWindowTokens) {
      throw new HttpError(
        400,
        `This model's maximum context length is ${options.contextWindowTokens} tokens. However, your messages resulted in ${promptTokens} tokens.`,
        { code: 'context_length_exceeded' },
      );
    }
    const reply = normaliseReply(await askPolicy(deps, body, messages));
    if (reply.status !== undefined) {
      throw new HttpError(reply.status, reply.content ?? `scripted status ${reply.status}`);
    }
    let content = reply.content;
    if (fault?.kind === 'emptyContent') content = '';
    if (fault?.kind === 'nullContent') content = null;
    if (fault) deps.stats.fault(fault.kind);

    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
    const limited = limitTokens(content, maxTokens);
    const cachedTokens = deps.prefixCache.lookupAndRecord(
      body.model,
      renderPromptForCache(messages),
      promptTokens,
    );
    const draft: CompletionDraft = {
      id: deps.nextCompletionId(),
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      content: limited.content,
      finishReason: limited.finishReason,
      usage: buildUsage(promptTokens, limited.tokens, cachedTokens),
    };
    if (reply.delayMs) await pause(reply.delayMs, signal);
    if (body.stream) {
      await streamCompletion(
        response,
        draft,
        body.stream_options?.include_usage === true,
        options,
        signal,
      );
    } else {
      await pause(
        options.latency.firstTokenMs + options.latency.perOutputTokenMs * limited.tokens,
        signal,
      );
      sendJson(response, 200, buildCompletion(draft));
    }
    deps.stats.completed({ promptTokens, completionTokens: limited.tokens, cachedTokens });
  } finally {
    deps.stats.slotReleased();
    release();
  }
}

async function askPolicy(
  deps: ChatCompletionDeps,
  body: ChatCompletionBody,
  messages: readonly SimMessage[],
): Promise<PolicyReply> {
  try {
    return await deps.policy.reply(
      {
        model: body.model,
        messages,
        ...((body.max_completion_tokens ?? body.max_tokens)
          ? { maxTokens: (body.max_completion_tokens ?? body.max_tokens) as number }
          : {}),
        ...(typeof body.temperature === 'number' ? { temperature: body.temperature } : {}),
        stream: body.stream === true,
      },
      deps.nextPolicyIndex(),
    );
  } catch (error) {
    throw new HttpError(
      500,
      `policy failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function normaliseReply(reply: PolicyReply): {
  content: string | null;
  delayMs?: number;
  status?: number;
} {
  return typeof reply === 'string' ? { content: reply } : reply;
}

/** Cuts content to about `maxTokens` tokens (by its own characters-per-token ratio). */
function limitTokens(
  content: string | null,
  maxTokens: number | undefined,
): { content: string | null; tokens: number; finishReason: 'stop' | 'length' } {
  if (content === null) return { content, tokens: 0, finishReason: 'stop' };
  const tokens = countTokens(content);
  if (maxTokens === undefined || tokens <= maxTokens)
    return { content, tokens, finishReason: 'stop' };
  const cut = content.slice(0, Math.floor((content.length * maxTokens) / tokens));
  return { content: cut, tokens: Math.min(maxTokens, countTokens(cut)), finishReason: 'length' };
}

async function streamCompletion(
  response: ServerResponse,
  draft: CompletionDraft,
  includeUsage: boolean,
  options: ResolvedSimServerOptions,
  signal: AbortSignal,
): Promise<void> {
  await pause(options.latency.firstTokenMs, signal);
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const send = (payload: unknown): void => {
    response.write(`data: ${JSON.stringify(payload)}\n\n`);
  };
  send(buildChunk(draft, { role: 'assistant', content: '' }, null));
  const pieces = draft.content === null ? [] : splitForStreaming(draft.content);
  const tokensPerPiece = pieces.length > 0 ? draft.usage.completion_tokens / pieces.length : 0;
  for (const piece of pieces) {
    await pause(options.latency.perOutputTokenMs * tokensPerPiece, signal);
    send(buildChunk(draft, { content: piece }, null));
  }
  send(buildChunk(draft, {}, draft.finishReason));
  if (includeUsage) send(buildUsageChunk(draft));
  response.end('data: [DONE]\n\n');
}

/** Waits `ms` (abortably); zero waits skip the timer so unthrottled runs stay fast. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await sleepTimer(ms, undefined, { signal });
  else signal.throwIfAborted();
}

/** For handlers outside the pipeline: answer any thrown error in OpenAI's shape. */
export function respondWithError(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (error instanceof HttpError) {
    sendError(response, error);
    return;
  }
  if (error instanceof Error && error.name === 'AbortError') {
    response.destroy();
    return;
  }
  sendError(response, new HttpError(500, error instanceof Error ? error.message : String(error)));
}
