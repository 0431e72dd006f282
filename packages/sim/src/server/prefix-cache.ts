/**
 * Prefix-cache simulation after OpenAI's documented behaviour: a prompt's
 * prefix that was seen before is served from cache, counted in 128-token
 * increments, and only when at least 1024 tokens hit.
 *
 * Tokens are approximated by characters: the rendered prompt is hashed
 * cumulatively at fixed character boundaries (BLOCK_CHARS, i.e. 128 tokens at
 * a nominal 4 characters per token), so two prompts sharing a prefix share the
 * same boundary hashes whatever follows. The matched character count is then
 * converted to tokens with this prompt's own characters-per-token ratio.
 */
import { createHash } from 'node:crypto';

export const CACHE_INCREMENT_TOKENS = 128;
export const CACHE_MINIMUM_TOKENS = 1024;
/** Nominal characters per 128 tokens; fixed so boundaries do not depend on what follows a prefix. */
const BLOCK_CHARS = CACHE_INCREMENT_TOKENS * 4;

export interface PrefixCache {
  /** Cached tokens for this prompt, then remembers all its prefixes. */
  lookupAndRecord(model: string, renderedPrompt: string, promptTokens: number): number;
  clear(): void;
}

export function createPrefixCache(maxEntries: number): PrefixCache {
  // A Set keeps insertion order, so dropping its first element evicts the oldest prefix.
  const seen = new Set<string>();
  return {
    lookupAndRecord(model, renderedPrompt, promptTokens) {
      const hash = createHash('sha256').update(`${model}\u0000`);
      const digests: string[] = [];
      let matchedBlocks = 0;
      let matching = true;
      for (let end = BLOCK_CHARS; end <= renderedPrompt.length; end += BLOCK_CHARS) {
        hash.update(renderedPrompt.slice(end - BLOCK_CHARS, end));
        const digest = hash.copy().digest('base64');
        digests.push(digest);
        // The cached prefix is the unbroken run of known boundaries from the start
        // (an evicted early block breaks it, as evicting a real prefix would).
        if (matching && seen.has(digest)) matchedBlocks = digests.length;
        else matching = false;
      }
      for (const digest of digests) {
        seen.delete(digest); // re-insert to refresh its age
        seen.add(digest);
      }
      while (seen.size > maxEntries) {
        const oldest = seen.values().next().value;
        if (oldest === undefined) break;
        seen.delete(oldest);
      }
      if (matchedBlocks === 0 || renderedPrompt.length === 0) return 0;
      const matchedTokens = ((matchedBlocks * BLOCK_CHARS) / renderedPrompt.length) * promptTokens;
      const cached = Math.floor(matchedTokens / CACHE_INCREMENT_TOKENS) * CACHE_INCREMENT_TOKENS;
      return cached >= CACHE_MINIMUM_TOKENS ? Math.min(cached, promptTokens) : 0;
    },
    clear() {
      seen.clear();
    },
  };
}

/** The text whose prefixes are cached: roles and contents in order, with separators no content uses. */
export function renderPromptForCache(
  messages: readonly { role: string; content: string | null }[],
): string {
  let rendered = '';
  for (const message of messages) rendered += `${message.role}\u0000${message.content ?? ''}\u0001`;
  return rendered;
}
