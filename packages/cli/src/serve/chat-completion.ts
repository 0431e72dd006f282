/**
 * POST /v1/chat/completions: one RLM request per call. The conversation
 * becomes context + query (message-context.ts), `rlm:<model>` names the root
 * model, and the caller's disconnect aborts the request's whole tree.
 * Streaming sends progress chunks as the run advances, then the answer,
 * the finish chunk, optional usage chunk and [DONE].
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { RLM, RlmResult } from '@rlm/sdk';
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
import { conversationToRlmInput } from './message-context.ts';
import { SseWriter } from './sse-writer.ts';

export interface ChatCompletionDeps {
  readonly rlm: RLM;
  /** Root models callers may name; undefined: any. */
  readonly allowedModels: readonly string[] | undefined;
}

export async function handleChatCompletion(
  response: ServerResponse,
  rawBody: Buffer,
  deps: ChatCompletionDeps,
): Promise<void> {
  const request = parseChatRequest(rawBody);
  const rootModel = rootModelOf(request.model);
  if (
    rootModel === undefined ||
    (deps.allowedModels !== undefined && !deps.allowedModels.includes(rootModel))
  ) {
    throw new ApiError(
      404,
      'invalid_request_error',
      'model_not_found',
      `The model '${request.model}' does not exist (this server serves rlm:<model>; see GET /v1/models)`,
      {
        param: 'model',
      },
    );
  }
  const input = conversationToRlmInput(request.messages);
  const caller = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) caller.abort(new Error('the client disconnected'));
  });
  const identity: CompletionIdentity = {
    id: `chatcmpl-${randomUUID()}`,
    created: Math.floor(Date.now() / 1000),
    model: request.model,
  };
  const overrides = { ...request.overrides, model: rootModel };
  if (!request.stream) {
    const result = await deps.rlm.completion(input.context, input.query, {
      signal: caller.signal,
      overrides,
    });
    if (caller.signal.aborted) return;
    assertAnswered(result);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(completionBody(identity, result)));
    return;
  }
  await streamCompletion(response, request, identity, deps.rlm, input, caller.signal, overrides);
}

async function streamCompletion(
  response: ServerResponse,
  request: ChatRequest,
  identity: CompletionIdentity,
  rlm: RLM,
  input: ReturnType<typeof conversationToRlmInput>,
  signal: AbortSignal,
  overrides: ChatRequest['overrides'],
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
    result = await rlm.completion(input.context, input.query, { signal, onEvent, overrides });
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
