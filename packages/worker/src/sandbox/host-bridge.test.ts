import { describe, expect, it } from 'vitest';
import type { SubcallOptions } from '@rlm/shared';
import { FakeReplHost } from './fake-repl-host.ts';
import { dispatchHostCall } from './host-bridge.ts';
import type { ReplHost } from './repl-host.ts';

describe('dispatchHostCall', () => {
  it('treats missing or null options as no options', async () => {
    const host = new FakeReplHost();
    expect(await dispatchHostCall(host, 'llm_query', 'p', undefined)).toBe('answer to p');
    expect(await dispatchHostCall(host, 'rlm_query', 'q', null)).toBe('answer to q');
    expect(host.calls.map((call) => call.options)).toEqual([{}, {}]);
  });

  it('answers an empty batch without calling the host', async () => {
    const host = new FakeReplHost();
    expect(await dispatchHostCall(host, 'llm_query_batched', [], {})).toEqual([]);
    expect(host.calls).toHaveLength(0);
  });

  it('rejects unknown host functions as data', async () => {
    expect(await dispatchHostCall(new FakeReplHost(), 'exec', 'ls', undefined)).toMatch(
      /^Error: unknown host function/,
    );
  });

  it('turns a host that breaks its contract into Error strings', async () => {
    const broken: ReplHost = {
      llmQuery: () => Promise.reject(new Error('socket closed')),
      llmQueryBatched: (prompts: string[], _options: SubcallOptions) =>
        Promise.resolve(prompts.slice(1)),
      rlmQuery: () => {
        throw new Error('sync throw');
      },
      rlmQueryBatched: () => Promise.resolve([]),
      callTool: () => Promise.reject(new Error('handler gone')),
    };
    expect(await dispatchHostCall(broken, 'llm_query', 'p', undefined)).toBe(
      'Error: llm_query: socket closed',
    );
    expect(await dispatchHostCall(broken, 'rlm_query', 'p', undefined)).toBe(
      'Error: rlm_query: sync throw',
    );
    expect(await dispatchHostCall(broken, 'llm_query_batched', ['a', 'b'], undefined)).toBe(
      'Error: llm_query_batched got 1 answers for 2 prompts',
    );
    expect(await dispatchHostCall(broken, 'call_tool', { id: 1 }, 'lookup')).toBe('Error: lookup: handler gone');
  });

  it('passes a tool call through with its name and argument', async () => {
    expect(await dispatchHostCall(new FakeReplHost(), 'call_tool', { id: 7 }, 'lookup')).toEqual({
      tool: 'lookup',
      args: { id: 7 },
    });
    expect(await dispatchHostCall(new FakeReplHost(), 'call_tool', {}, 42)).toBe('Error: a tool call without a tool name');
  });

  it('names the offending option', async () => {
    const answer = await dispatchHostCall(new FakeReplHost(), 'llm_query', 'p', { maxTokens: -1 });
    expect(answer).toMatch(/^Error: llm_query: invalid options \(maxTokens: /);
  });
});
