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

  it('describes a Python REPL with plain functions for Python sessions, in both variants', () => {
    const prompt = buildSystemPrompt({ ...base, repl: 'python' });
    expect(prompt).toContain('Python REPL');
    expect(prompt).toContain('llm_query(prompt, model=None)');
    expect(prompt).toContain('rlm_query_batched(prompts, model=None)');
    expect(prompt).toContain('answer["ready"] = True');
    expect(prompt).not.toMatch(/await|JavaScript|console\.log/);
    const replOnly = buildSystemPrompt({ ...base, repl: 'python', subcalls: false });
    expect(replOnly).toContain('Python REPL');
    expect(replOnly).not.toMatch(/llm_query|rlm_query/);
    // At the last REPL depth, rlm_query is said to behave like llm_query.
    expect(buildSystemPrompt({ ...base, repl: 'python', depth: 1 })).toContain('do exactly what `llm_query` does');
  });

  it('lists the caller tools after the fixed part, which stays the same', () => {
    const tool = {
      name: 'lookup_customer',
      description: 'Finds a customer by id.',
      parameters: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
    };
    const withTools = buildSystemPrompt({ ...base, tools: [tool] });
    expect(withTools.startsWith(buildSystemPrompt(base))).toBe(true);
    expect(withTools).toContain('`await lookup_customer(args)`');
    expect(withTools).toContain('Finds a customer by id.');
    expect(withTools).toContain('"required":["id"]');
    expect(buildSystemPrompt({ ...base, tools: [] })).toBe(buildSystemPrompt(base));
  });
});
