/**
 * POST /v1/chat/completions: `rlm:<model>` is one RLM request whose root model
 * is <model>; a plain model name (and, with --direct-below, a short `rlm:`
 * request) is proxied to the upstream (upstream-proxy.ts). The conversation
 * becomes context + question (message-context.ts), the operator's limits bound
 * the caller's options (operator-limits.ts), and the caller's disconnect aborts
 * the request's whole tree.
 * Streaming sends progress chunks as the run advances, then the answer,
 * the finish chunk, optional usage chunk and [DONE].
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { RLM, RlmResult } from '@rlm/sdk';
import { countTokens } from '@rlm/shared';
import type { RlmEvent } from '@rlm/shared';
import { ApiError, toApiError } from './api-error.ts';
import { parseChatRequest, rootModelOf } from './chat-request.ts';
import type { ChatRequest } from './chat-request.ts';
import {
  chunk,
  completionBody,
  finishReasonOf,
  progressChunk,
  rlmFacts,
  usageChunk,
  usageOf,
} from './completion-format.ts';
import type { CompletionIdentity } from './completion-format.ts';
import type { ConversationLease, ConversationRegistry } from './conversation-registry.ts';
import { conversationToRlmInput } from './message-context.ts';
import type { RlmInput } from './message-context.ts';
import { assertWithinOperatorLimits } from './operator-limits.ts';
import { proxyChatCompletion } from './upstream-proxy.ts';
import type { Upstream } from './upstream-proxy.ts';
import { SseWriter } from './sse-writer.ts';

export interface ChatCompletionDeps {
  readonly rlm: RLM;
  /** Models callers may name (root and sub-model); undefined: any. */
  readonly allowedModels: readonly string[] | undefined;
  /** Where plain model names (and short `rlm:` requests) go; undefined: they are refused. */
  readonly upstream: Upstream | undefined;
  /** `rlm:` requests whose messages total fewer tokens go straight to the model; undefined: never. */
  readonly directBelowTokens: number | undefined;
  /** Conversations kept across requests (`rlm.conversation`). */
  readonly conversations: ConversationRegistry;
  /** The caller's bearer token (undefined when the server checks none): the scope of its conversations. */
  readonly callerToken: string | undefined;
}

/** One RLM request of this call: a plain completion, or the next question of a conversation. */
type RunRequest = (signal: AbortSignal, onEvent?: (event: RlmEvent) => void) => Promise<RlmResult>;

export async function handleChatCompletion(
  response: ServerResponse,
  rawBody: Buffer,
  deps: ChatCompletionDeps,
): Promise<void> {
  const request = parseChatRequest(rawBody);
  const rootModel = rootModelOf(request.model);
  const served = rootModel ?? request.model;
  const proxied = rootModel === undefined;
  if ((proxied && deps.upstream === undefined) || (deps.allowedModels !== undefined && !deps.allowedModels.includes(served))) {
    throw new ApiError(
      404,
      'invalid_request_error',
      'model_not_found',
      `The model '${request.model}' does not exist here (see GET /v1/models)`,
      { param: 'model' },
    );
  }
  const caller = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) caller.abort(new Error('the client disconnected'));
  });
  if (proxied && deps.upstream !== undefined) {
    await proxyChatCompletion(response, request.body, deps.upstream, caller.signal);
    return;
  }
  assertWithinOperatorLimits(request.overrides, served, { config: deps.rlm.config, allowedModels: deps.allowedModels });
  const input = conversationToRlmInput(request.messages);
  if (deps.upstream !== undefined && request.conversation === undefined && isBelow(request.messages, deps.directBelowTokens)) {
    await proxyChatCompletion(response, { ...request.body, model: served }, deps.upstream, caller.signal);
    return;
  }
  const identity: CompletionIdentity = {
    id: `chatcmpl-${randomUUID()}`,
    created: Math.floor(Date.now() / 1000),
    model: request.model,
  };
  const overrides = { ...request.overrides, model: served };
  const instructions = input.instructions === undefined ? {} : { instructions: input.instructions };
  const lease = request.conversation === undefined ? undefined : leaseConversation(deps, request, input, instructions);
  const run: RunRequest = (signal, onEvent) => {
    const events = onEvent === undefined ? {} : { onEvent };
    if (lease === undefined) return deps.rlm.completion(input.context, input.query, { signal, overrides, ...events, ...instructions });
    const question = lease.created ? (input.query ?? '') : lastUserText(request);
    return lease.conversation.ask(question, { signal, overrides, ...events });
  };
  try {
    if (!request.stream) {
      const result = await run(caller.signal);
      if (caller.signal.aborted) return;
      assertAnswered(result);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(completionBody(identity, result)));
      return;
    }
    await streamCompletion(response, request, identity, run, caller.signal);
  } finally {
    lease?.release();
  }
}

/**
 * The caller's conversation: a new one takes this request's documents as its context and needs a
 * separate question (a drop-in prompt has none to carry forward); a known one takes the last user
 * message as the question and ignores the rest (its context is loaded already).
 */
function leaseConversation(
  deps: ChatCompletionDeps,
  request: ChatRequest,
  input: RlmInput,
  instructions: { instructions?: string },
): ConversationLease {
  const id = request.conversation ?? '';
  const lease = deps.conversations.lease(deps.callerToken, id, input.context, () => {
    if (input.query === undefined) {
      throw new ApiError(
        400,
        'invalid_request_error',
        'conversation_needs_question',
        'a new conversation needs the document(s) and a separate short question as the last user message',
        { param: 'messages' },
      );
    }
    return deps.rlm.conversation(input.context, instructions);
  });
  return lease;
}

function lastUserText(request: ChatRequest): string {
  return (request.messages.at(-1)?.parts ?? []).join('\n').trim();
}

/** Whether the conversation is short enough for --direct-below (counting characters first: a token is at least one). */
function isBelow(messages: ChatRequest['messages'], tokens: number | undefined): boolean {
  if (tokens === undefined) return false;
  const texts = messages.flatMap((message) => message.parts);
  const chars = texts.reduce((sum, text) => sum + text.length, 0);
  if (chars < tokens) return true;
  // Beyond ~12 characters per token no tokenizer gets under the bar: skip counting megabytes.
  if (chars > tokens * 12) return false;
  return texts.reduce((sum, text) => sum + countTokens(text), 0) < tokens;
}

async function streamCompletion(
  response: ServerResponse,
  request: ChatRequest,
  identity: CompletionIdentity,
  run: RunRequest,
  signal: AbortSignal,
): Promise<void> {
  const sse = new SseWriter(response);
  let started = false;
  // Headers go out with the first event, so a request refused before any work (bad options) is still a plain 4xx.
  const open = (): void => {
    if (started) return;
    started = true;
    sse.start();
    sse.data(chunk(identity, { role: 'assistant', content: '' }, null));
  };
  const onEvent = (event: RlmEvent): void => {
    open();
    sse.data(progressChunk(identity, event));
  };
  let result: RlmResult;
  try {
    result = await run(signal, onEvent);
  } catch (error) {
    if (!started) throw error;
    sse.data(toApiError(error).body());
    sse.end();
    return;
  }
  if (signal.aborted) {
    sse.end();
    return;
  }
  if (result.stopReason === 'error') {
    if (!started) assertAnswered(result);
    sse.data(upstreamFailure(result).body());
    sse.end();
    return;
  }
  open();
  sse.data(chunk(identity, { content: result.answer }, null));
  sse.data(
    chunk(identity, {}, finishReasonOf(result.stopReason), {
      usage: usageOf(result),
      rlm: rlmFacts(result),
    }),
  );
  if (request.includeUsage) sse.data(usageChunk(identity, result));
  sse.done();
}

/** A run that ended in an error (the provider failed, the sandbox broke) is a 502: the answer did not come. */
function assertAnswered(result: RlmResult): void {
  if (result.stopReason === 'error') throw upstreamFailure(result);
}

function upstreamFailure(result: RlmResult): ApiError {
  return new ApiError(
    502,
    'server_error',
    result.error?.code ?? 'rlm_error',
    `the RLM run failed: ${result.error?.message ?? 'unknown error'}`,
  );
}
