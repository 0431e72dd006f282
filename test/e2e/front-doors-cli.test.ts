/**
 * What a new user sees from `rlm run`, `rlm demo` and `rlm batch` when things
 * go right, partly right or wrong: exit codes 0 / 3 / 1 / 2, the cause of a
 * failure in one plain line (a 401 named as such), the key nowhere even when
 * the provider echoes it, `--help` on every command, `--verbose` showing the
 * model's code, and the unpriced-model refusal of `--max-cost`.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTask, gradeAnswer, startSimServer } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';
import { runCli } from '../support/run-cli.ts';
import { COMMAND_NAMES } from '../../packages/cli/src/main.ts';

const KEY = 'sk-live-ECHOED-key-0123456789';
const task = generateTask('needle', { seed: 5, contextChars: 120_000 });
let sim: SimServer;
let echoing: SimServer;
let dir: string;
let contextFile: string;

beforeAll(async () => {
  sim = await startSimServer({ policy: { type: 'solver' }, anyModel: true });
  // A provider that refuses the key and echoes it back in its error text, as some do.
  echoing = await startSimServer({
    policy: {
      type: 'scripted',
      replies: () => ({ status: 401, content: `Incorrect API key provided: ${KEY}` }),
    },
    anyModel: true,
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'rlm-front-doors-'));
  contextFile = path.join(dir, 'context.txt');
  await writeFile(contextFile, task.context);
});
afterAll(async () => {
  await sim?.close();
  await echoing?.close();
});

/** `rlm run` over the task's context and query against one endpoint. */
const runAgainst = (baseUrl: string, ...args: string[]) =>
  runCli(['run', '--context', contextFile, '--query', task.query, '--base-url', baseUrl, ...args]);
const run = (...args: string[]) => runAgainst(sim.baseUrl, '--model', 'sim-large', ...args);

describe('rlm run exit codes and causes', () => {
  it('0: a final answer', async () => {
    const result = await run();
    expect(result.code).toBe(0);
    expect(gradeAnswer(task, result.stdout)).toBe(1);
    expect(result.stderr).not.toMatch(/^rlm: /m);
  }, 60_000);

  it('3: stopped by the turn limit, the partial answer marked as partial', async () => {
    const result = await run('--max-iterations', '1');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^rlm: partial answer: stopped by the turn limit \(--max-iterations\)/m,
    );
  }, 60_000);

  it('3: stopped by a cost budget too small for the work', async () => {
    const result = await run('--max-cost', '0.0005');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/stopped by the cost budget \(--max-cost\)/);
  }, 60_000);

  it('1: a 401 from the provider is named in plain output, and its echo of the key is scrubbed everywhere', async () => {
    const traceFile = path.join(dir, 'failed.jsonl');
    const result = await runAgainst(
      echoing.baseUrl,
      '--api-key',
      KEY,
      '--model',
      'sim-large',
      '--trace-out',
      traceFile,
    );
    expect(result.code).toBe(1);
    const causes = result.stderr.split('\n').filter((line) => line.startsWith('rlm: failed:'));
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatch(/llm_http: LLM endpoint answered 401/);
    expect(result.stdout + result.stderr).not.toContain(KEY);
    expect(await readFile(traceFile, 'utf8')).not.toContain(KEY);
    const json = await runAgainst(echoing.baseUrl, '--api-key', KEY, '--json');
    expect(json.code).toBe(1);
    expect(json.stdout).toContain('401');
    expect(json.stdout + json.stderr).not.toContain(KEY);
  }, 60_000);

  it('1: a server that is down is named as unreachable', async () => {
    const result = await runCli([
      'run',
      '--context',
      contextFile,
      '--query',
      'q',
      '--base-url',
      'http://127.0.0.1:9/v1',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^rlm: failed: llm_network: LLM endpoint unreachable/m);
  }, 60_000);

  it('2: --max-cost with a model that has no price, before any call; --price gives it one', async () => {
    const before = sim.stats().totalRequests;
    const refused = await runAgainst(sim.baseUrl, '--model', 'qwen3-8b', '--max-cost', '1');
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/no price for model "qwen3-8b".*--price IN,OUT.*RLM_PRICES/);
    expect(sim.stats().totalRequests).toBe(before);

    const priced = await runAgainst(
      sim.baseUrl,
      '--model',
      'qwen3-8b',
      '--max-cost',
      '1',
      '--price',
      '0.5,1.5',
      '--json',
    );
    expect(priced.code).toBe(0);
    const result = JSON.parse(priced.stdout) as { costUsd: number; answer: string };
    expect(result.costUsd).toBeGreaterThan(0);
    expect(gradeAnswer(task, result.answer)).toBe(1);
  }, 60_000);
});

describe('rlm chat with a cost cap over an unpriced model', () => {
  it('2: one line before the prompt, not one refusal per question', async () => {
    const before = sim.stats().totalRequests;
    const result = await runCli(
      [
        'chat',
        '--context',
        contextFile,
        '--base-url',
        sim.baseUrl,
        '--model',
        'qwen3-8b',
        '--max-cost',
        '1',
      ],
      {},
      `${task.query}\n${task.query}\n`,
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^rlm: --max-cost: no price for model "qwen3-8b".*--price IN,OUT/),
    ]);
    expect(sim.stats().totalRequests).toBe(before);
  }, 60_000);
});

describe('--help on every command', () => {
  for (const name of COMMAND_NAMES) {
    it(`rlm ${name} --help prints its usage and exits 0`, async () => {
      const result = await runCli([name, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^usage: rlm (${name}|worker\\|orchestrator)`));
      expect(result.stderr).toBe('');
    });
  }
});

describe('seeing what the model did', () => {
  it('rlm run --verbose prints each turn, its code, the output fed back and the sub-call batches', async () => {
    const result = await run('--verbose');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/── turn 1/);
    expect(result.stderr).toMatch(/code \(step 1\):\n\s+│ /);
    expect(result.stderr).toMatch(/output \([\d,]+ characters\):/);
    expect(result.stderr).toMatch(/sub-calls: \d+ llm_query \(\d+ from cache, 0 failed\)/);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('rlm trace FILE --code shows the replies, the code and its output in the tree', async () => {
    const traceFile = path.join(dir, 'code.jsonl');
    expect((await run('--trace-out', traceFile, '--quiet')).code).toBe(0);
    const plain = await runCli(['trace', traceFile]);
    const withCode = await runCli(['trace', traceFile, '--code']);
    expect(withCode.code).toBe(0);
    expect(plain.stdout).not.toMatch(/reply:/);
    expect(withCode.stdout).toMatch(/├─ reply:\n/);
    expect(withCode.stdout).toMatch(/code:\n(.*\n)*.*llm_query_batched/);
    expect(withCode.stdout).toMatch(/output:\n.*searching \d+ chunks/);
  }, 60_000);

  it('rlm demo shows the code the model wrote, and exits 0 when both answers are final', async () => {
    const result = await runCli(['demo', '--chars', '100000']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/code \(step \d\):/);
    expect(result.stderr).toMatch(/llm_query_batched/);
  }, 60_000);
});

describe('rlm demo exit codes', () => {
  it('3: stopped by the turn limit, each partial answer marked', async () => {
    const result = await runCli(['demo', '--chars', '10000', '--max-iterations', '1', '--quiet']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^rlm: partial answer: stopped by the turn limit/m);
  }, 60_000);

  it('1: a 401 from the configured endpoint is named, the key nowhere', async () => {
    const result = await runCli([
      'demo',
      '--chars',
      '10000',
      '--base-url',
      echoing.baseUrl,
      '--api-key',
      KEY,
      '--quiet',
    ]);
    expect(result.code).toBe(1);
    const causes = result.stderr.split('\n').filter((line) => line.startsWith('rlm: failed:'));
    expect(causes).toHaveLength(1); // the second question is not sent to a failing endpoint
    expect(causes[0]).toMatch(/^rlm: failed: llm_http: LLM endpoint answered 401/);
    expect(result.stdout + result.stderr).not.toContain(KEY);
  }, 60_000);

  it('2: bad input in one line', async () => {
    const result = await runCli(['demo', '--chars', '5']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('rlm: --chars: expected an integer >= 10000, got "5"');
  });
});

describe('rlm batch exit codes', () => {
  it('prints the cause of each failed pair in one line, counts it as failed only, and exits 1', async () => {
    const input = path.join(dir, 'docs.jsonl');
    await writeFile(input, `${JSON.stringify({ id: 'a', text: task.context })}\n`);
    const result = await runCli([
      'batch',
      '--input',
      input,
      '--query',
      task.query,
      '--out',
      path.join(dir, 'out-failed.jsonl'),
      '--base-url',
      echoing.baseUrl,
      '--api-key',
      KEY,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^batch: a \(.*\): failed: llm_http: LLM endpoint answered 401/m);
    // The summary counts a failed pair as failed, not as answered too.
    expect(result.stderr).toMatch(/^batch: 0 answered, 0 already done, 1 failed, 0 left of 1;/m);
    expect(result.stderr).not.toContain(KEY);
  }, 60_000);

  it('2: --max-cost with a model that has no price, in one line before any pair runs', async () => {
    const input = path.join(dir, 'unpriced.jsonl');
    const out = path.join(dir, 'out-unpriced.jsonl');
    await writeFile(
      input,
      `${JSON.stringify({ id: 'a', text: 'doc a' })}\n${JSON.stringify({ id: 'b', text: 'doc b' })}\n`,
    );
    const before = sim.stats().totalRequests;
    const result = await runCli([
      'batch',
      '--input',
      input,
      '--query',
      'q',
      '--out',
      out,
      '--base-url',
      sim.baseUrl,
      '--model',
      'qwen3-8b',
      '--max-cost',
      '1',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^rlm: --max-cost: no price for model "qwen3-8b"/);
    expect(sim.stats().totalRequests).toBe(before);
    await expect(readFile(out, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);
});
