import { describe, expect, it } from 'vitest';
import { buildSystemPrompt } from './system-prompt.ts';

const base = { depth: 0, maxDepth: 2, subModel: 'small', outputLimitChars: 20_000 };

describe('buildSystemPrompt', () => {
  it('offers llm_query and rlm_query by default', () => {
    const prompt = buildSystemPrompt(base);
    expect(prompt).toContain('llm_query(prompt, opts?)');
    expect(prompt).toContain('rlm_query(prompt, opts?)');
  });

  it('says nothing about sub-calls in the REPL-only ablation, and keeps the final-answer rules', () => {
    const prompt = buildSystemPrompt({ ...base, subcalls: false });
    expect(prompt).not.toMatch(/llm_query|rlm_query/);
    expect(prompt).toContain('FINAL_VAR("name")');
    expect(prompt).toContain('20,000 characters');
  });
});
