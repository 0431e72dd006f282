/**
 * Caller tools end to end, embedded: the real openai client against the simulator with scripted
 * replies. The model's code calls the caller's function from the REPL; a schema violation is
 * refused before the handler runs; a handler that throws reaches the model as a value.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RLM } from '@rlm/sdk';
import type { RlmEvent } from '@rlm/shared';
import type { SimRequest } from '@rlm/sim';
import { isSessionTurn, lastUserMessage, repl, turnIndex } from '../support/engine-requests.ts';
import { closeScriptedEngines, scriptedEngine } from '../support/scripted-engine.ts';

afterEach(closeScriptedEngines);

const customerTool = (calls: unknown[]) => ({
  description: 'Looks a customer up by numeric id.',
  parameters: {
    type: 'object',
    properties: { id: { type: 'integer' } },
    required: ['id'],
    additionalProperties: false,
  },
  handler: (args: { id: number }) => {
    calls.push(args);
    return { id: args.id, name: `customer ${args.id}`, tier: 'gold' };
  },
});

/** Turn 1 runs `code`; turn 2 answers with the feedback turn 1 produced, so the test sees what the model saw. */
function twoTurns(code: string, seen: string[]) {
  return (request: SimRequest): string => {
    if (!isSessionTurn(request)) return 'sub-call';
    if (turnIndex(request) === 0) {
      seen.push(request.messages[0]?.content ?? '');
      return repl(code);
    }
    seen.push(lastUserMessage(request));
    return 'FINAL(done)';
  };
}

describe('caller tools (embedded)', () => {
  it('runs a tool from JavaScript, lists it in the system prompt, and refuses a schema violation without calling the handler', async () => {
    const calls: unknown[] = [];
    const seen: string[] = [];
    const events: RlmEvent[] = [];
    const { rlm } = await scriptedEngine(
      twoTurns(
        [
          'const good = await lookup_customer({ id: 7 });',
          "const bad = await lookup_customer({ id: 'seven' });",
          'print(JSON.stringify(good));',
          'print(bad);',
        ].join('\n'),
        seen,
      ),
      { tools: { lookup_customer: customerTool(calls) } },
    );
    const result = await rlm.completion('ctx', 'which tier is customer 7?', { onEvent: (event) => events.push(event) });
    expect(result).toMatchObject({ answer: 'done', stopReason: 'final' });
    expect(calls).toEqual([{ id: 7 }]);
    const [systemPrompt, feedback] = seen;
    expect(systemPrompt).toContain('`await lookup_customer(args)`');
    expect(systemPrompt).toContain('Looks a customer up by numeric id.');
    expect(feedback).toContain('{"id":7,"name":"customer 7","tier":"gold"}');
    expect(feedback).toMatch(/Error: lookup_customer: invalid argument: \/id must be integer/);
    const toolEnds = events.filter((event) => event.type === 'tool-end');
    expect(toolEnds).toHaveLength(2);
    expect(toolEnds.map((event) => event.type === 'tool-end' && event.error !== undefined)).toEqual([false, true]);
  }, 30_000);

  it('hands a handler error, a timeout and a non-JSON result to the model as Error strings; the step goes on', async () => {
    const seen: string[] = [];
    const { rlm } = await scriptedEngine(
      twoTurns(
        [
          'const a = await broken({});',
          'const b = await slow({});',
          'const c = await weird({});',
          "print(typeof a, a); print(b); print(c); print('still running');",
        ].join('\n'),
        seen,
      ),
      {
        tools: {
          broken: {
            description: 'Always fails.',
            parameters: { type: 'object' },
            handler: () => {
              throw new Error('database is down');
            },
          },
          slow: {
            description: 'Never answers.',
            parameters: { type: 'object' },
            timeoutMs: 200,
            handler: (_args: unknown, { signal }: { signal: AbortSignal }) =>
              new Promise((resolve) => signal.addEventListener('abort', () => resolve('late'))),
          },
          weird: { description: 'Returns a BigInt.', parameters: { type: 'object' }, handler: () => 10n },
        },
      },
    );
    const result = await rlm.completion('ctx', 'q');
    expect(result.stopReason).toBe('final');
    const feedback = seen[1] ?? '';
    expect(feedback).toContain('string Error: broken: database is down');
    expect(feedback).toContain('Error: slow: timed out after 200 ms');
    expect(feedback).toMatch(/Error: weird: the tool returned a value that is not JSON/);
    expect(feedback).toContain('still running');
  }, 30_000);

  it('takes a zod schema and validates against it', async () => {
    const calls: unknown[] = [];
    const seen: string[] = [];
    const { rlm } = await scriptedEngine(
      twoTurns("print(await search({ query: 'x', limit: 500 })); print(JSON.stringify(await search({ query: 'x', limit: 3 })))", seen),
      {
        tools: {
          search: {
            description: 'Searches the index.',
            parameters: z.object({ query: z.string(), limit: z.number().int().max(50) }),
            handler: (args: { query: string; limit: number }) => {
              calls.push(args);
              return [args.query];
            },
          },
        },
      },
    );
    await rlm.completion('ctx', 'q');
    expect(calls).toEqual([{ query: 'x', limit: 3 }]);
    expect(seen[0]).toContain('"maximum":50');
    expect(seen[1]).toMatch(/Error: search: invalid argument: \/limit must be <= 50/);
    expect(seen[1]).toContain('["x"]');
  }, 30_000);

  it('offers the tools in the Python REPL: keyword arguments or one dict, validated the same way', async () => {
    const calls: unknown[] = [];
    const seen: string[] = [];
    const { rlm } = await scriptedEngine(
      (request) => {
        if (!isSessionTurn(request)) return 'sub-call';
        if (turnIndex(request) === 0) {
          seen.push(request.messages[0]?.content ?? '');
          return [
            '```repl',
            'a = lookup_customer(id=7)',
            "b = lookup_customer({'id': 8})",
            "c = lookup_customer(id='x')",
            'd = lookup_customer({"id": 1}, id=2)',
            "print(a['tier'], b['id'], c, d, sep=' | ')",
            '```',
          ].join('\n');
        }
        seen.push(lastUserMessage(request));
        return 'FINAL(done)';
      },
      { repl: 'python', tools: { lookup_customer: customerTool(calls) } },
    );
    const result = await rlm.completion('ctx', 'q');
    expect(result.stopReason).toBe('final');
    expect(calls).toEqual([{ id: 7 }, { id: 8 }]);
    expect(seen[0]).toContain('`lookup_customer(**args)`');
    expect(seen[1]).toContain(
      'gold | 8 | Error: lookup_customer: invalid argument: /id must be integer | Error: lookup_customer takes keyword arguments or one dict, not both',
    );
  }, 120_000);

  it('counts tool calls against the pending sub-call cap', async () => {
    const seen: string[] = [];
    let handled = 0;
    const { rlm } = await scriptedEngine(
      twoTurns(
        "const rs = await Promise.all([1, 2, 3, 4].map((n) => slow_echo({ n })));\nprint(rs.filter((r) => typeof r === 'string' && r.startsWith('Error: sub-call refused')).length, 'refused')",
        seen,
      ),
      {
        maxPendingSubcalls: 2,
        tools: {
          slow_echo: {
            description: 'Echoes after a moment.',
            parameters: { type: 'object' },
            // Still pending while the other calls arrive: the cap sees two in flight.
            handler: (args: unknown) => new Promise((resolve) => setTimeout(() => resolve(args), 200)).finally(() => (handled += 1)),
          },
        },
      },
    );
    await rlm.completion('ctx', 'q');
    expect(handled).toBe(2);
    expect(seen[1]).toContain('2 refused');
  }, 30_000);

  it('refuses bad tool names when the RLM is built', () => {
    const tool = { description: 'd', parameters: { type: 'object' }, handler: () => 1 };
    const build = (tools: Record<string, typeof tool>) => () =>
      new RLM({ baseUrl: 'http://127.0.0.1:9', env: {}, tools });
    expect(build({ FINAL: tool })).toThrow(/tool name "FINAL" would shadow a name the REPL defines/);
    expect(build({ llm_query: tool })).toThrow(/would shadow/);
    expect(build({ 'lookup-customer': tool })).toThrow(/is not a valid identifier/);
    expect(build({ class: tool })).toThrow(/keyword/);
    expect(() => new RLM({ baseUrl: 'http://127.0.0.1:9', env: {}, tools: { ok: { ...tool, parameters: { type: 'nope' } } } })).toThrow(
      /tool "ok": parameters is not a valid JSON Schema/,
    );
  });
});
