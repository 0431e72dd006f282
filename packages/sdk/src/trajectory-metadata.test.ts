import { describe, expect, it } from 'vitest';
import { loadConfig, sha256Hex } from '@rlm/shared';
import { RLM } from './rlm.ts';

describe('trajectory metadata', () => {
  const secret = 'sk-test-SECRET-0123456789';
  const baseUrl = 'https://user:password@llm.example.test/v1';

  it('describes settings, budgets and the context without the key, the endpoint or the context itself', () => {
    const rlm = new RLM({
      env: { OPENAI_API_KEY: secret, OPENAI_BASE_URL: baseUrl },
      model: 'm',
      subModel: 's',
      maxDepth: 2,
      maxCostUsd: 1,
    });
    const context = 'the context itself, which must stay out';
    const metadata = rlm.trajectoryMetadata(context, 'q?', new Date('2026-11-24T12:00:00Z'));
    expect(metadata).toMatchObject({
      type: 'metadata',
      version: 2,
      startedAt: '2026-11-24T12:00:00.000Z',
      mode: 'embedded',
      query: 'q?',
      settings: { model: 'm', subModel: 's', maxDepth: 2 },
      limits: { maxCostUsd: 1, concurrency: loadConfig().concurrency },
      context: { type: 'string', totalChars: context.length, sha256: sha256Hex(context) },
    });
    const text = JSON.stringify(metadata);
    for (const hidden of [secret, 'password', 'llm.example.test', context])
      expect(text).not.toContain(hidden);
  });

  it('hashes structured contexts over their canonical JSON, so key order does not matter', () => {
    const rlm = new RLM({ env: { OPENAI_API_KEY: secret } });
    const a = rlm.trajectoryMetadata({ b: 1, a: [1, 2] }, 'q').context;
    const b = rlm.trajectoryMetadata({ a: [1, 2], b: 1 }, 'q').context;
    expect(a).toEqual(b);
    expect(a).toMatchObject({ type: 'object (JSON)', items: 2 });
  });
});
