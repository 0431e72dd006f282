import { describe, expect, it } from 'vitest';
import { countTokens } from '@rlm/shared';
import { generateTask } from '@rlm/sim';
import { truncateToTokens } from './direct-method.ts';

describe('truncateToTokens', () => {
  it('keeps short texts whole', () => {
    expect(truncateToTokens('a short text', 100)).toEqual({
      text: 'a short text',
      tokens: countTokens('a short text'),
    });
  });

  it('cuts long texts to the budget at a line break', () => {
    const context = generateTask('oolong', { seed: 4, contextChars: 200_000 }).context;
    const cut = truncateToTokens(context, 10_000);
    expect(cut.tokens).toBeLessThanOrEqual(10_000);
    expect(cut.tokens).toBeGreaterThan(9_000);
    expect(context.startsWith(cut.text)).toBe(true);
    expect(context[cut.text.length]).toBe('\n');
  });
});
