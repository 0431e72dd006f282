/**
 * The front doors in cluster mode: `rlm serve --redis` answers through the
 * openai client (non-streaming and streaming: progress events cross the
 * cluster through the request's event stream, then the answer and usage), and
 * `rlm batch --redis` answers every pair through worker processes.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchRecord } from '@rlm/sdk';
import { generateTask, gradeAnswer } from '@rlm/sim';
import { runCli } from '../support/run-cli.ts';
import { startServeProcess } from '../support/serve-process.ts';
import type { ServeProcess } from '../support/serve-process.ts';
import { startClusterFixture } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

let cluster: ClusterFixture;
let serve: ServeProcess;
const task = generateTask('needle', { seed: 5, contextChars: 50_000 });

beforeAll(async () => {
  cluster = await startClusterFixture({ policy: { type: 'solver' } });
  await Promise.all([cluster.start('worker'), cluster.start('orchestrator')]);
  serve = await startServeProcess(cluster.cliFlags);
}, 60_000);
afterAll(async () => {
  await serve?.stop();
  await cluster?.stop();
});

describe('front doors on the cluster', () => {
  it('rlm serve --redis answers with the openai client, whole and streamed', async () => {
    const client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: 'system', content: task.context },
      { role: 'user', content: task.query },
    ];
    const completion = await client.chat.completions.create({ model: 'rlm:sim-large', messages });
    expect(gradeAnswer(task, completion.choices[0]?.message.content ?? '')).toBe(1);
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);

    const stream = await client.chat.completions.create({
      model: 'rlm:sim-large',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    const events: string[] = [];
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      const event = (chunk as unknown as { rlm_event?: { type: string } }).rlm_event;
      if (event !== undefined) events.push(event.type);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(gradeAnswer(task, content)).toBe(1);
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    // Events of the orchestrator (sessions, steps) and of the workers (sub-calls) reach the caller.
    expect(events).toContain('session-start');
    expect(events).toContain('step-end');
    expect(events).toContain('subcall-end');
  });

  it('rlm batch --redis answers every pair through the workers', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rlm-batch-cluster-'));
    const documents = Array.from({ length: 6 }, (_, index) =>
      generateTask('needle', { seed: 100 + index, contextChars: 5_000 }),
    );
    await Promise.all(
      documents.map((document, index) =>
        writeFile(path.join(dir, `doc-${index}.txt`), document.context),
      ),
    );
    const out = path.join(os.tmpdir(), `rlm-batch-cluster-${cluster.prefix}.jsonl`);
    const query = documents[0]?.query ?? '';
    const result = await runCli([
      'batch',
      '--input',
      dir,
      '--query',
      query,
      '--out',
      out,
      ...cluster.cliFlags,
      '--model',
      'sim-large',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const records = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as BatchRecord);
    expect(records.map((record) => record.id).sort()).toEqual(
      documents.map((_, index) => `doc-${index}.txt`),
    );
    const first = records.find((record) => record.id === 'doc-0.txt');
    expect(first && documents[0] ? gradeAnswer(documents[0], first.answer) : 0).toBe(1);
    expect(records.every((record) => record.error === null && record.usage.calls > 0)).toBe(true);
  });

  it("rlm run --redis costs calls at the submitter's --price on every worker", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rlm-price-cluster-'));
    const contextFile = path.join(dir, 'context.txt');
    await writeFile(contextFile, task.context);
    const result = await runCli([
      'run',
      '--context',
      contextFile,
      '--query',
      task.query,
      ...cluster.cliFlags,
      '--model',
      'sim-large',
      '--max-cost',
      '5',
      '--price',
      '100,100',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as {
      costUsd: number;
      usage: { inputTokens: number; outputTokens: number; calls: number };
    };
    // The workers' own table prices sim-large far lower: only the submitter's price gives this cost.
    const atSubmitterPrice =
      ((output.usage.inputTokens + output.usage.outputTokens) * 100) / 1_000_000;
    expect(output.costUsd).toBeCloseTo(atSubmitterPrice, 3);
  });
});
