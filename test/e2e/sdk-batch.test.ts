/**
 * The SDK's batch capability: `runBatch` as an async iterator of records,
 * schema repair by follow-up queries, failing documents that do not stop the
 * batch, and an in-process resume that skips finished pairs.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { itemsFromTexts, RLM, runBatch } from '@rlm/sdk';
import type { BatchItem, BatchPlan, BatchRecord } from '@rlm/sdk';
import { startSimServer } from '@rlm/sim';
import type { ScriptedReplyFunction, SimServer } from '@rlm/sim';
import { isSessionTurn, lastUserMessage, repl } from '../support/engine-requests.ts';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function engineWith(replies: ScriptedReplyFunction): Promise<RLM> {
  sim = await startSimServer({ policy: { type: 'scripted', replies } });
  return new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', maxRetries: 0, env: {} });
}

async function collect(iterator: AsyncIterable<BatchRecord>): Promise<BatchRecord[]> {
  const records: BatchRecord[] = [];
  for await (const record of iterator) records.push(record);
  return records;
}

const firstUser = (request: Parameters<ScriptedReplyFunction>[0]): string =>
  request.messages.find((message) => message.role === 'user')?.content ?? '';

const SCHEMA = {
  type: 'object',
  properties: { number: { type: 'integer' } },
  required: ['number'],
  additionalProperties: false,
};

describe('runBatch', () => {
  it('tells the model the schema and repairs a non-conforming answer with a follow-up', async () => {
    const rlm = await engineWith((request) => {
      if (!isSessionTurn(request)) return 'unused';
      expect(firstUser(request)).toContain('"required":["number"]');
      return firstUser(request).includes('was rejected')
        ? repl('FINAL(JSON.stringify({ number: 7 }))')
        : 'FINAL(seven)';
    });
    const [record, ...rest] = await collect(
      runBatch({
        rlm,
        items: itemsFromTexts([{ id: 'a', text: 'doc a' }]),
        queries: ['How many?'],
        schema: SCHEMA,
      }),
    );
    expect(rest).toHaveLength(0);
    expect(record).toMatchObject({
      id: 'a',
      query: 'How many?',
      parsed: { number: 7 },
      repairs: 1,
      error: null,
      stopReason: 'final',
    });
    expect(record?.usage.calls).toBe(2);
  });

  it('gives up after the repair budget with a schema_mismatch error', async () => {
    const rlm = await engineWith(() => 'FINAL(still prose)');
    const [record] = await collect(
      runBatch({
        rlm,
        items: itemsFromTexts([{ id: 'a', text: 'doc' }]),
        queries: ['q'],
        schema: SCHEMA,
        repairAttempts: 2,
      }),
    );
    expect(record).toMatchObject({ parsed: null, repairs: 2, error: { code: 'schema_mismatch' } });
    expect(sim?.stats().totalRequests).toBe(3);
  });

  it('records failing documents and finishes the others', async () => {
    const rlm = await engineWith((request) =>
      lastUserMessage(request).includes('POISON') || firstUser(request).includes('POISON')
        ? { content: 'refused', status: 400 }
        : 'FINAL(fine)',
    );
    const unreadable: BatchItem = {
      id: 'gone',
      loadText: () => Promise.reject(new Error('ENOENT: no such file')),
    };
    const items = [
      ...itemsFromTexts([{ id: 'ok-1', text: 'one' }]),
      unreadable,
      ...itemsFromTexts([
        { id: 'bad', text: 'POISON' },
        { id: 'ok-2', text: 'two' },
      ]),
    ];
    const records = await collect(runBatch({ rlm, items, queries: ['q'], concurrency: 2 }));
    const byId = new Map(records.map((record) => [record.id, record]));
    expect([...byId.keys()].sort()).toEqual(['bad', 'gone', 'ok-1', 'ok-2']);
    expect(byId.get('ok-1')).toMatchObject({ answer: 'fine', error: null });
    expect(byId.get('ok-2')).toMatchObject({ answer: 'fine', error: null });
    expect(byId.get('gone')?.error).toMatchObject({
      code: 'document_unreadable',
      message: expect.stringContaining('ENOENT'),
    });
    expect(byId.get('bad')).toMatchObject({
      stopReason: 'error',
      error: { code: expect.any(String) },
    });
  });

  it('resumes from its output: cuts a torn line, skips finished pairs, appends the rest', async () => {
    const rlm = await engineWith((request) =>
      isSessionTurn(request)
        ? `FINAL(answer to ${firstUser(request).includes('q2') ? 'q2' : 'q1'})`
        : 'x',
    );
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rlm-sdk-batch-'));
    const outFile = path.join(dir, 'out.jsonl');
    const items = itemsFromTexts([
      { id: 'a', text: 'doc a' },
      { id: 'b', text: 'doc b' },
    ]);
    const first = await collect(runBatch({ rlm, items, queries: ['q1'], outFile }));
    expect(first).toHaveLength(2);
    await writeFile(outFile, (await readFile(outFile, 'utf8')) + '{"key":"torn-by-a-kil');
    const callsBefore = sim?.stats().totalRequests;
    const plans: BatchPlan[] = [];
    const skipped: BatchRecord[] = [];
    const second = await collect(
      runBatch({
        rlm,
        items,
        queries: ['q1', 'q2'],
        outFile,
        onPlan: (plan) => plans.push(plan),
        onSkip: (record) => skipped.push(record),
      }),
    );
    expect(plans).toEqual([
      { total: 4, previousRecords: 2, tornBytes: '{"key":"torn-by-a-kil'.length },
    ]);
    expect(skipped.map((record) => record.id).sort()).toEqual(['a', 'b']);
    expect(second.map((record) => `${record.id}:${record.answer}`).sort()).toEqual([
      'a:answer to q2',
      'b:answer to q2',
    ]);
    expect((sim?.stats().totalRequests ?? 0) - (callsBefore ?? 0)).toBe(2);
    const lines = (await readFile(outFile, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(new Set(lines.map((line) => (JSON.parse(line) as BatchRecord).key)).size).toBe(4);
  });
});
