import { describe, expect, it } from 'vitest';
import { CACHE_INCREMENT_TOKENS, CACHE_MINIMUM_TOKENS, createPrefixCache } from './prefix-cache.ts';

// Four characters per token, like the cache's nominal ratio.
const prompt = (prefix: string, chars: number): string =>
  prefix + 'x'.repeat(chars - prefix.length);

describe('prefix cache', () => {
  it('serves a repeated long prompt from cache in 128-token increments', () => {
    const cache = createPrefixCache(1_000);
    const text = prompt('a', 40_000);
    expect(cache.lookupAndRecord('m', text, 10_000)).toBe(0);
    const cached = cache.lookupAndRecord('m', text, 10_000);
    expect(cached % CACHE_INCREMENT_TOKENS).toBe(0);
    expect(cached).toBeGreaterThanOrEqual(9_800);
    expect(cached).toBeLessThanOrEqual(10_000);
  });

  it('counts only the shared prefix, and nothing below 1024 tokens', () => {
    const cache = createPrefixCache(1_000);
    const shared = 'S'.repeat(8_000);
    cache.lookupAndRecord('m', `${shared}${'a'.repeat(8_000)}`, 4_000);
    const cached = cache.lookupAndRecord('m', `${shared}${'b'.repeat(8_000)}`, 4_000);
    // 15 whole 512-character blocks of the 8,000 shared characters, at 4 characters per token.
    expect(cached).toBe(1_920);

    const short = 'T'.repeat(3_000);
    cache.lookupAndRecord('m', short, 750);
    expect(cache.lookupAndRecord('m', short, 750)).toBe(0);
    expect(CACHE_MINIMUM_TOKENS).toBe(1024);
  });

  it('keeps models apart and forgets the oldest prefixes past its bound', () => {
    const cache = createPrefixCache(100);
    const text = prompt('z', 40_000); // 78 blocks
    cache.lookupAndRecord('a', text, 10_000);
    expect(cache.lookupAndRecord('b', text, 10_000)).toBe(0);
    // Model b's 78 blocks pushed out most of model a's.
    expect(cache.lookupAndRecord('a', text, 10_000)).toBe(0);
  });
});
