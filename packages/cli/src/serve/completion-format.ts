/**
 * Chat completion objects in OpenAI's shapes: the whole `chat.completion`,
 * the streamed `chat.completion.chunk`s, and usage from the RLM's ledger
 * (tokens of every call in the tree). RLM facts ride in an extension member
 * `rlm` that standard clients ignore.
 */
import type { RlmResult } from '@rlm/sdk';
import type { RlmEvent, StopReason } from '@rlm/shared';

export interface CompletionIdentity {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export function usageOf(result: RlmResult): Record<string, unknown> {
  return {
    prompt_tokens: result.usage.inputTokens,
    completion_tokens: result.usage.outputTokens,
    total_tokens: result.usage.inputTokens + result.usage.outputTokens,
    prompt_tokens_details: { cached_tokens: result.usage.cachedInputTokens },
  };
}

/** "stop" for a final answer; "length" when a budget, the turn limit or the deadline cut the run short. */
export function finishReasonOf(stopReason: StopReason): 'stop' | 'length' {
  return stopReason === 'final' ? 'stop' : 'length';
}

export function rlmFacts(result: RlmResult): Record<string, unknown> {
  return {
    stop_reason: result.stopReason,
    iterations: result.iterations,
    subcalls: result.subcalls,
    cache_hits: result.cacheHits,
    llm_calls: result.usage.calls,
    cost_usd: result.costUsd,
    duration_ms: result.durationMs,
    trace_id: result.traceId,
  };
}

/** The members every completion object opens with, in OpenAI's order. */
function header(
  identity: CompletionIdentity,
  object: 'chat.completion' | 'chat.completion.chunk',
): Record<string, unknown> {
  return { id: identity.id, object, created: identity.created, model: identity.model };
}

export function completionBody(
  identity: CompletionIdentity,
  result: RlmResult,
): Record<string, unknown> {
  return {
    ...header(identity, 'chat.completion'),
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: result.answer, refusal: null },
        logprobs: null,
        finish_reason: finishReasonOf(result.stopReason),
      },
    ],
    usage: usageOf(result),
    rlm: rlmFacts(result),
  };
}

export function chunk(
  identity: CompletionIdentity,
  delta: Record<string, unknown>,
  finishReason: string | null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...header(identity, 'chat.completion.chunk'),
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...extra,
  };
}

/** A progress chunk: an empty delta (clients append nothing) carrying the event in `rlm_event`. */
export function progressChunk(
  identity: CompletionIdentity,
  event: RlmEvent,
): Record<string, unknown> {
  return chunk(identity, {}, null, { rlm_event: event });
}

/** The usage chunk of `stream_options.include_usage`: no choices, only usage. */
export function usageChunk(
  identity: CompletionIdentity,
  result: RlmResult,
): Record<string, unknown> {
  return {
    ...header(identity, 'chat.completion.chunk'),
    choices: [],
    usage: usageOf(result),
  };
}
