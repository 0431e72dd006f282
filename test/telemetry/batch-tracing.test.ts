/**
 * Batch runs trace each (document, query) pair as its own trace linked back to
 * the batch span, instead of one giant trace: read from an in-memory exporter
 * while a real batch runs against the simulator.
 */
import { itemsFromTexts, RLM, runBatch } from '@rlm/sdk';
import type { BatchRecord } from '@rlm/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSessionTurn, repl } from '../support/engine-requests.ts';
import { startTracedSim } from '../support/traced-sim.ts';
import type { TracedSim } from '../support/traced-sim.ts';

let traced: TracedSim;

beforeAll(async () => {
  traced = await startTracedSim('rlm-batch', (request) =>
    isSessionTurn(request) ? repl(`FINAL(context.length)`) : 'unused',
  );
});
afterAll(() => traced.close());

describe('batch tracing', () => {
  it('gives every pair its own trace, linked to the one batch span', async () => {
    const rlm = new RLM({
      baseUrl: traced.sim.baseUrl,
      apiKey: 'sk-batch',
      model: 'sim-large',
      env: {},
    });
    const records: BatchRecord[] = [];
    for await (const record of runBatch({
      rlm,
      items: itemsFromTexts([
        { id: 'a', text: 'x'.repeat(10) },
        { id: 'b', text: 'y'.repeat(20) },
        { id: 'c', text: 'z'.repeat(30) },
      ]),
      queries: ['how long?', 'how long really?'],
      concurrency: 2,
    }))
      records.push(record);
    await traced.telemetry.flush();
    const spans = traced.exporter.getFinishedSpans();

    const batches = spans.filter((span) => span.name === 'rlm batch');
    expect(batches).toHaveLength(1);
    const batch = batches[0]!;
    expect(batch.attributes['rlm.batch.pairs']).toBe(6);

    const pairs = spans.filter((span) => span.name === 'rlm batch pair');
    expect(pairs).toHaveLength(6);
    expect(records).toHaveLength(6);
    const traceIds = new Set(pairs.map((span) => span.spanContext().traceId));
    expect(traceIds.size).toBe(6);
    expect(traceIds.has(batch.spanContext().traceId)).toBe(false);
    for (const pair of pairs) {
      expect(pair.parentSpanContext).toBeUndefined();
      expect(pair.links.map((link) => link.context.spanId)).toEqual([batch.spanContext().spanId]);
    }
    // Each record names its pair's trace, and the request ran inside it.
    for (const record of records) {
      const pair = pairs.find((span) => span.attributes['rlm.batch.pair.key'] === record.key);
      expect(pair?.attributes['rlm.batch.document.id']).toBe(record.id);
      expect(record.traceId).toBe(pair?.spanContext().traceId);
      const request = spans.find(
        (span) => span.name === 'rlm request' && span.spanContext().traceId === record.traceId,
      );
      expect(request?.parentSpanContext?.spanId).toBe(pair?.spanContext().spanId);
    }
  });
});
