/**
 * A caller-tool call is an `execute_tool <name>` span under the REPL step's span, with the GenAI
 * tool attributes, and a refused call is marked as an error on its span.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { RLM } from '@rlm/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSessionTurn, repl, turnIndex } from '../support/engine-requests.ts';
import { startTracedSim } from '../support/traced-sim.ts';
import type { TracedSim } from '../support/traced-sim.ts';

let traced: TracedSim;

beforeAll(async () => {
  traced = await startTracedSim('rlm-cli', (request) => {
    if (!isSessionTurn(request)) return 'sub-call';
    return turnIndex(request) === 0 ? repl("await price({ sku: 'a' }); await price({ sku: 1 });") : 'FINAL(done)';
  });
});
afterAll(() => traced.close());

describe('caller-tool spans', () => {
  it('puts each tool call under its step as execute_tool <name>', async () => {
    const rlm = new RLM({
      baseUrl: traced.sim.baseUrl,
      model: 'sim-large',
      env: {},
      tools: {
        price: {
          description: 'Price of a SKU.',
          parameters: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] },
          handler: () => 9.5,
        },
      },
    });
    const result = await rlm.completion('ctx', 'q');
    expect(result.stopReason).toBe('final');
    await traced.telemetry.flush();
    const all: ReadableSpan[] = traced.exporter.getFinishedSpans();
    const tools = all.filter((span) => span.name === 'execute_tool price');
    expect(tools).toHaveLength(2);
    const step = all.find((span) => span.name === 'execute_tool repl');
    for (const tool of tools) {
      expect(tool.parentSpanContext?.spanId).toBe(step?.spanContext().spanId);
      expect(tool.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'price' });
    }
    expect(tools.map((tool) => tool.attributes['rlm.tool.error'] === true).sort()).toEqual([false, true]);
  }, 30_000);
});
