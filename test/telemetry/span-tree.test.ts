/**
 * The span tree of one depth-2 request (embedded mode, the real openai client
 * against the simulator), read from an in-memory exporter: names, kinds,
 * parent/child relations, GenAI attributes, one span per unit of work, cache
 * hits linked to the span that produced the value, and content kept out
 * unless the user opts in.
 */
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { RLM } from '@rlm/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { childAndLeaf } from '../support/scripted-tree.ts';
import { startTracedSim } from '../support/traced-sim.ts';
import type { TracedSim } from '../support/traced-sim.ts';

const API_KEY = 'sk-test-do-not-leak-4711';
const CONTEXT = 'the secret context text';
const QUERY = 'what is the secret query?';

let traced: TracedSim;

beforeAll(async () => {
  // Depth 0 starts one child RLM; the child (depth 1, the last REPL depth) asks one plain sub-call.
  traced = await startTracedSim('rlm-cli', childAndLeaf());
});
afterAll(() => traced.close());
beforeEach(() => traced.exporter.reset());

function client(recordContent = false): RLM {
  return new RLM({
    baseUrl: traced.sim.baseUrl,
    apiKey: API_KEY,
    model: 'sim-large',
    subModel: 'sim-small',
    maxDepth: 2,
    env: {},
    recordContent,
  });
}

async function spans(): Promise<ReadableSpan[]> {
  await traced.telemetry.flush();
  return traced.exporter.getFinishedSpans();
}

function childrenOf(all: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  return all.filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
}

/** The tree as nested names, children sorted by start time: easy to read in a failure. */
function shape(all: readonly ReadableSpan[], span: ReadableSpan): unknown {
  const children = childrenOf(all, span).sort(
    (a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1],
  );
  return children.length === 0
    ? span.name
    : { [span.name]: children.map((child) => shape(all, child)) };
}

describe('the span tree of a depth-2 request', () => {
  it('has one span per unit of work, in one trace, shaped like the recursion', async () => {
    const rlm = client();
    const result = await rlm.completion(CONTEXT, QUERY);
    expect(result.answer).toBe('root>leaf answer');
    const all = await spans();

    const roots = all.filter((span) => span.parentSpanContext === undefined);
    expect(roots.map((span) => span.name)).toEqual(['rlm request']);
    const root = roots[0]!;
    expect(new Set(all.map((span) => span.spanContext().traceId))).toEqual(
      new Set([root.spanContext().traceId]),
    );
    expect(result.traceId).toBe(root.spanContext().traceId);

    const session = (depth: number): unknown => ({
      'invoke_agent rlm': [
        {
          'iteration 1': [
            `chat ${depth === 0 ? 'sim-large' : 'sim-small'}`,
            {
              'execute_tool repl': [
                depth === 0 ? { rlm_query: [session(1)] } : { llm_query: ['chat sim-small'] },
              ],
            },
          ],
        },
      ],
    });
    expect(shape(all, root)).toEqual({ 'rlm request': [session(0)] });
    // Work done: 2 sessions, 2 iterations, 3 provider calls, 2 steps, 2 sub-calls, and the request.
    expect(all).toHaveLength(12);
    expect(result.usage.calls).toBe(3);
  });

  it('carries the GenAI and rlm attributes', async () => {
    const result = await client().completion(CONTEXT, QUERY);
    const all = await spans();
    const sessions = all.filter((span) => span.name === 'invoke_agent rlm');
    expect(sessions.map((span) => span.attributes['rlm.depth']).sort()).toEqual([0, 1]);
    for (const span of sessions) {
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'rlm',
        'rlm.stop_reason': 'final',
        'rlm.iterations': 1,
      });
      expect(span.attributes['rlm.session.id']).toEqual(expect.any(String));
    }
    const chats = all.filter((span) => span.name.startsWith('chat '));
    expect(chats).toHaveLength(3);
    for (const chat of chats) {
      expect(chat.kind).toBe(SpanKind.CLIENT);
      expect(chat.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'rlm.cache.hit': false,
      });
      expect(chat.attributes['gen_ai.request.model']).toBe(chat.name.slice('chat '.length));
      expect(chat.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(chat.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(chat.attributes['gen_ai.usage.cache_read.input_tokens']).toEqual(expect.any(Number));
    }
    const usage = chats.reduce(
      (sum, chat) => sum + Number(chat.attributes['gen_ai.usage.input_tokens']),
      0,
    );
    expect(usage).toBe(result.usage.inputTokens);
    // Each invoke_agent span carries its subtree's spend: the root's is the whole request's,
    // the child's is its own turn plus its leaf sub-call (2 of the 3 provider calls).
    const byDepth = (depth: number) => sessions.find((span) => span.attributes['rlm.depth'] === depth)!.attributes;
    expect(byDepth(0)).toMatchObject({
      'gen_ai.usage.input_tokens': result.usage.inputTokens,
      'gen_ai.usage.output_tokens': result.usage.outputTokens,
      'rlm.usage.calls': 3,
    });
    const childChats = chats.filter((chat) => chat.attributes['rlm.depth'] !== 0);
    expect(childChats).toHaveLength(2);
    expect(byDepth(1)).toMatchObject({
      'gen_ai.usage.input_tokens': childChats.reduce((sum, chat) => sum + Number(chat.attributes['gen_ai.usage.input_tokens']), 0),
      'rlm.usage.calls': 2,
    });
    const steps = all.filter((span) => span.name === 'execute_tool repl');
    for (const step of steps) {
      expect(step.attributes).toMatchObject({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'repl',
        'rlm.step': 1,
        'rlm.repl.final': true,
      });
      expect(step.attributes['rlm.repl.duration_ms']).toEqual(expect.any(Number));
      expect(step.attributes['rlm.repl.output_chars']).toEqual(expect.any(Number));
    }
    const text = JSON.stringify(
      all.map((span) => [span.name, span.attributes, span.events, span.links, span.status]),
    );
    for (const secret of [API_KEY, CONTEXT, QUERY, 'the leaf prompt', 'leaf answer'])
      expect(text).not.toContain(secret);
  });

  it('marks a cached sub-call and links it to the span that produced the value', async () => {
    const rlm = client();
    await rlm.completion(CONTEXT, QUERY);
    const first = await spans();
    const producer = first.find(
      (span) => span.name === 'chat sim-small' && span.attributes['rlm.call.purpose'] === 'subcall',
    )!;
    traced.exporter.reset();
    await rlm.completion(CONTEXT, QUERY); // same instance, same result cache: the leaf is a hit
    const second = await spans();
    const hit = second.find(
      (span) => span.name === 'chat sim-small' && span.attributes['rlm.call.purpose'] === 'subcall',
    )!;
    expect(hit.attributes).toMatchObject({ 'rlm.cache.hit': true, 'rlm.cache.source': 'cache' });
    expect(hit.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(hit.links.map((link) => [link.context.traceId, link.context.spanId])).toEqual([
      [producer.spanContext().traceId, producer.spanContext().spanId],
    ]);
    expect(hit.spanContext().traceId).not.toBe(producer.spanContext().traceId);
  });

  it('records prompts, code and completions, truncated, when the user opts in', async () => {
    await client(true).completion(CONTEXT, QUERY);
    const all = await spans();
    const leaf = all.find((span) => span.attributes['rlm.call.purpose'] === 'subcall')!;
    expect(String(leaf.attributes['gen_ai.input.messages'])).toContain('the leaf prompt');
    expect(leaf.attributes['gen_ai.output.messages']).toBe('leaf answer');
    const rootStep = all.find(
      (span) => span.name === 'execute_tool repl' && span.attributes['rlm.depth'] === 0,
    )!;
    expect(rootStep.attributes['rlm.repl.code']).toContain("rlm_query('child prompt')");
    const rootSession = all.find(
      (span) => span.name === 'invoke_agent rlm' && span.attributes['rlm.depth'] === 0,
    )!;
    expect(rootSession.attributes['rlm.query']).toBe(QUERY);
    expect(JSON.stringify(all.map((span) => span.attributes))).not.toContain(API_KEY);
  });
});
