/**
 * The LLM provider over any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama,
 * OpenRouter, our simulator) through the official `openai` client.
 *
 * Retries: the client's own layer is the only one (408/409/429/5xx and
 * connection errors, exponential backoff, `retry-after` honoured up to 60 s).
 * Nothing above it retries LLM calls, so one call never multiplies into N x M.
 */
import OpenAI from 'openai';
import { countMessageTokens, countTokens, RlmError, scrubSecrets } from '@rlm/shared';
import type { CompletionRequest, CompletionResponse } from '@rlm/shared';
import type { LlmProvider } from '@rlm/shared';

export interface OpenAIProviderOptions {
  readonly baseUrl?: string;
  readonly apiKey?: string;
  readonly maxRetries: number;
  readonly timeoutMs: number;
}

/** Sent when no key is configured: local servers (vLLM, Ollama, the simulator) ignore it. */
const PLACEHOLDER_API_KEY = 'not-needed';

export class OpenAIProvider implements LlmProvider {
  private readonly client: OpenAI;
  /** Scrubbed from every error text: some providers echo the key they were sent. */
  private readonly apiKey: string | undefined;

  constructor(options: OpenAIProviderOptions) {
    this.apiKey = options.apiKey;
    this.client = new OpenAI({
      apiKey: options.apiKey ?? PLACEHOLDER_API_KEY,
      maxRetries: options.maxRetries,
      timeout: options.timeoutMs,
      ...(options.baseUrl === undefined ? {} : { baseURL: options.baseUrl }),
    });
  }

  async complete(request: CompletionRequest, signal: AbortSignal): Promise<CompletionResponse> {
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = await this.client.chat.completions.create(
        {
          model: request.model,
          messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
          ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
          ...(request.maxTokens === undefined ? {} : { max_completion_tokens: request.maxTokens }),
        },
        { signal },
      );
    } catch (error) {
      throw toRlmError(error, signal, this.apiKey);
    }
    const choice = completion.choices[0];
    // Reasoning models may return null content (all tokens spent thinking): that is an empty reply, not a crash.
    const content = choice?.message.content ?? '';
    const usage = completion.usage;
    return {
      content,
      model: completion.model || request.model,
      ...(choice?.finish_reason ? { finishReason: choice.finish_reason } : {}),
      usage:
        usage === undefined
          ? // Some servers omit usage: fall back to our own count so budgets still hold.
            { inputTokens: countMessageTokens(request.messages), outputTokens: countTokens(content), cachedInputTokens: 0 }
          : {
              inputTokens: usage.prompt_tokens,
              outputTokens: usage.completion_tokens,
              cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
            },
    };
  }
}

/**
 * The provider's error as an RlmError whose message has the key scrubbed. The
 * client's error object is not kept as the cause: its body and headers may
 * carry the key too.
 */
function toRlmError(error: unknown, signal: AbortSignal, apiKey: string | undefined): RlmError {
  const text = (message: string): string => scrubSecrets(message, [apiKey]);
  if (signal.aborted || error instanceof OpenAI.APIUserAbortError) {
    return new RlmError('cancelled', 'the LLM call was cancelled');
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new RlmError('llm_network', text(`LLM endpoint unreachable: ${error.message}`), { retryable: true });
  }
  if (error instanceof OpenAI.APIError) {
    const status = error.status;
    const retryable = status !== undefined && (status === 408 || status === 409 || status === 429 || status >= 500);
    return new RlmError('llm_http', text(`LLM endpoint answered ${status ?? '?'}: ${error.message}`), {
      retryable,
      ...(status === undefined ? {} : { status }),
    });
  }
  return new RlmError('llm_network', text(`LLM call failed: ${error instanceof Error ? error.message : String(error)}`));
}
