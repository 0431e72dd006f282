/** The OpenAI wire shapes of a chat completion, whole or as SSE chunks. */

export interface CompletionUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly prompt_tokens_details: { readonly cached_tokens: number };
  readonly completion_tokens_details: { readonly reasoning_tokens: number };
}

export interface CompletionDraft {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  readonly content: string | null;
  readonly finishReason: 'stop' | 'length';
  readonly usage: CompletionUsage;
}

export function buildUsage(
  promptTokens: number,
  completionTokens: number,
  cachedTokens: number,
): CompletionUsage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cachedTokens },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

export function buildCompletion(draft: CompletionDraft): unknown {
  return {
    id: draft.id,
    object: 'chat.completion',
    created: draft.created,
    model: draft.model,
    system_fingerprint: 'rlm-sim',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: draft.content, refusal: null },
        logprobs: null,
        finish_reason: draft.finishReason,
      },
    ],
    usage: draft.usage,
  };
}

export function buildChunk(
  draft: Pick<CompletionDraft, 'id' | 'created' | 'model'>,
  delta: Record<string, unknown>,
  finishReason: CompletionDraft['finishReason'] | null,
): unknown {
  return {
    id: draft.id,
    object: 'chat.completion.chunk',
    created: draft.created,
    model: draft.model,
    system_fingerprint: 'rlm-sim',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

/** The final chunk OpenAI sends with `stream_options.include_usage`: no choices, just usage. */
export function buildUsageChunk(draft: CompletionDraft): unknown {
  return {
    id: draft.id,
    object: 'chat.completion.chunk',
    created: draft.created,
    model: draft.model,
    system_fingerprint: 'rlm-sim',
    choices: [],
    usage: draft.usage,
  };
}

/** Splits content into stream pieces of a few words each, at most `maxPieces` of them. */
export function splitForStreaming(content: string, maxPieces = 32): string[] {
  const words = content.match(/\S+\s*|\s+/g) ?? [];
  if (words.length === 0) return [];
  const perPiece = Math.max(1, Math.ceil(words.length / maxPieces));
  const pieces: string[] = [];
  for (let index = 0; index < words.length; index += perPiece) {
    pieces.push(words.slice(index, index + perPiece).join(''));
  }
  return pieces;
}
