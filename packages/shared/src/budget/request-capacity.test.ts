import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PENDING_PROMPT_CHARS, PendingSubcalls } from './request-capacity.ts';

describe('PendingSubcalls prompt characters', () => {
  it('admits prompts while their characters fit together, and again once released', () => {
    const pending = new PendingSubcalls(10, 100);
    expect(pending.takeChars(60)).toBe(true);
    expect(pending.takeChars(40)).toBe(true);
    expect(pending.takeChars(1)).toBe(false);
    expect(pending.pendingChars).toBe(100);
    pending.releaseChars(60);
    expect(pending.takeChars(50)).toBe(true);
    expect(pending.pendingChars).toBe(90);
  });

  it('is the cap the Python REPL counts against before it sends a call', () => {
    const runtime = readFileSync(
      path.resolve(import.meta.dirname, '../../../worker/src/python/child/rlm_runtime.py'),
      'utf8',
    );
    const cap = /^_PROMPT_CHARS_CAP = (.+)$/m.exec(runtime)?.[1];
    expect(cap).toBe('256 * 1024 * 1024');
    expect(DEFAULT_MAX_PENDING_PROMPT_CHARS).toBe(256 * 1024 * 1024);
  });
});
