/**
 * The direct baseline (the paper's base model): the context in one prompt,
 * cut to the configured window by tokens, one completion. Cutting keeps whole
 * lines, so labelled data stays parseable; the prompt says nothing about the
 * cut, as a base model given too much text would not know either.
 */
import { costOf, countTokens, isRlmError, loadConfig, priceOf } from '@rlm/shared';
import { DIRECT_PROMPT_OVERHEAD_CHARS, renderDirectPrompt } from '@rlm/sim';
import { OpenAIProvider } from '@rlm/worker';
import type { EvalInstance, MethodOutcome } from '../types.ts';
import type { EndpointSettings, EvalMethod } from './method.ts';

export interface DirectMethodOptions {
  /** The model's context window in tokens: prompt plus the output reservation must fit. */
  readonly contextWindowTokens: number;
}

/** Slack for the tokenizer's sampled estimate above 64k characters and for chat framing. */
const SAFETY_FRACTION = 0.02;

export function createDirectMethod(
  endpoint: EndpointSettings,
  options: DirectMethodOptions,
): EvalMethod {
  const config = loadConfig({
    env: endpoint.env,
    overrides: {
      ...endpoint.engineOverrides,
      model: endpoint.model,
      baseUrl: endpoint.baseUrl,
      apiKey: endpoint.apiKey,
    },
  });
  const provider = new OpenAIProvider({
    maxRetries: config.maxRetries,
    timeoutMs: config.requestTimeoutSec * 1000,
    ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
    ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
  });
  // The answer's reservation: the configured output cap, but never more than an eighth of a small window.
  const outputTokens = Math.min(
    config.maxOutputTokens,
    Math.floor(options.contextWindowTokens / 8),
  );
  return {
    name: 'direct',
    async run(instance: EvalInstance): Promise<MethodOutcome> {
      const frameTokens =
        countTokens(instance.query) + Math.ceil(DIRECT_PROMPT_OVERHEAD_CHARS / 2) + 16;
      const budget = Math.floor(
        (options.contextWindowTokens - outputTokens - frameTokens) * (1 - SAFETY_FRACTION),
      );
      const document = truncateToTokens(instance.context, Math.max(0, budget));
      const prompt = renderDirectPrompt(document.text, instance.query);
      const empty = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0, calls: 1 };
      const base = { subcalls: 0, depth: 0, iterations: 1, contextTokensSeen: document.tokens };
      const signal = AbortSignal.timeout((config.timeoutSec ?? config.requestTimeoutSec) * 1000);
      try {
        const response = await provider.complete(
          {
            model: config.model,
            messages: [{ role: 'user', content: prompt }],
            maxTokens: outputTokens,
          },
          signal,
        );
        return {
          ...base,
          answer: response.content,
          stopReason: 'final',
          inputTokens: response.usage.inputTokens,
          outputTokens: response.usage.outputTokens,
          cachedInputTokens: response.usage.cachedInputTokens,
          costUsd: costOf(priceOf(config.prices, config.model), response.usage),
          calls: 1,
        };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const stopReason = isRlmError(error) && error.code === 'cancelled' ? 'timeout' : 'error';
        return { ...base, ...empty, answer: '', stopReason, error: message };
      }
    },
  };
}

/** The longest prefix of `text` that ends at a line break (when it can) and fits `maxTokens`. */
export function truncateToTokens(
  text: string,
  maxTokens: number,
): { text: string; tokens: number } {
  const total = countTokens(text);
  if (total <= maxTokens) return { text, tokens: total };
  let chars = Math.floor((text.length * maxTokens) / Math.max(1, total));
  for (;;) {
    let cut = text.slice(0, chars);
    const lastBreak = cut.lastIndexOf('\n');
    if (lastBreak > chars * 0.9) cut = cut.slice(0, lastBreak);
    const tokens = countTokens(cut);
    if (tokens <= maxTokens || chars === 0) return { text: cut, tokens };
    chars = Math.floor(chars * Math.min(0.97, maxTokens / tokens));
  }
}
