/**
 * Token counting for budget reservations. Uses gpt-tokenizer's o200k_base
 * encoding (bundled, works offline). Very long texts are counted on a sample
 * and scaled, because exact BPE over megabytes costs more than the estimate is worth.
 */
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';

/** Texts up to this many characters are tokenized exactly. */
const EXACT_LIMIT_CHARS = 64_000;
/** Per-message framing tokens in chat formats. */
const MESSAGE_OVERHEAD_TOKENS = 4;

export function countTokens(text: string): number {
  if (text.length <= EXACT_LIMIT_CHARS) return countO200k(text);
  // Sample three windows spread over the text and scale by length.
  const window = EXACT_LIMIT_CHARS / 4;
  const starts = [0, Math.floor((text.length - window) / 2), text.length - window];
  let sampledTokens = 0;
  for (const start of starts) sampledTokens += countO200k(text.slice(start, start + window));
  return Math.ceil((sampledTokens / (3 * window)) * text.length);
}

export function countMessageTokens(messages: readonly { readonly content: string }[]): number {
  let total = 0;
  for (const message of messages) total += countTokens(message.content) + MESSAGE_OVERHEAD_TOKENS;
  return total;
}
