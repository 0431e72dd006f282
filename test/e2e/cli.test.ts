/**
 * The `rlm` command as users run it: a child process, real files, the
 * simulator over HTTP. Bad input: one line naming the problem, exit code 2.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTask, gradeAnswer, startSimServer } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';
import { runCli } from '../support/run-cli.ts';

let sim: SimServer;
let dir: string;
let contextFile: string;
const task = generateTask('needle', { seed: 3, contextChars: 300_000 });

beforeAll(async () => {
  sim = await startSimServer({ policy: { type: 'solver' } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'rlm-cli-'));
  contextFile = path.join(dir, 'context.txt');
  await writeFile(contextFile, task.context);
});
afterAll(async () => {
  await sim.close();
});

describe('rlm run', () => {
  it('prints the JSON result shape with --json', async () => {
    const traceFile = path.join(dir, 'trace.jsonl');
    const result = await runCli(
      ['run', '--context', contextFile, '--query', task.query, '--base-url', sim.baseUrl, '--model', 'sim-large', '--json', '--trace-out', traceFile],
    );
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(output)).toEqual(
      expect.arrayContaining(['answer', 'stopReason', 'iterations', 'subcalls', 'usage', 'costUsd', 'durationMs', 'traceId']),
    );
    expect(output['stopReason']).toBe('final');
    expect(gradeAnswer(task, String(output['answer']))).toBe(1);
    expect(output['usage']).toEqual({
      inputTokens: expect.any(Number),
      outputTokens: expect.any(Number),
      cachedInputTokens: expect.any(Number),
      calls: expect.any(Number),
    });
    const trajectory = (await readFile(traceFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(trajectory[0]?.type).toBe('metadata');
    expect(trajectory.at(-1)?.type).toBe('result');
    expect(trajectory.some((line) => line.type === 'subcall-end')).toBe(true);
  }, 60_000);

  it('reads the context from stdin and prints only the answer on stdout', async () => {
    const result = await runCli(['run', '--context', '-', '--query', task.query, '--base-url', sim.baseUrl, '--model', 'sim-large'], {}, task.context);
    expect(result.code).toBe(0);
    expect(gradeAnswer(task, result.stdout)).toBe(1);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  const badInputs: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['a missing context file', ['--context', '/nonexistent/file.txt', '--query', 'q', '--base-url', 'http://127.0.0.1:9/v1'], {}, /--context: \/nonexistent\/file.txt cannot be read \(no such file\)/],
    ['an empty query', ['--context', '-', '--query', '  ', '--base-url', 'http://127.0.0.1:9/v1'], {}, /--query is required and must not be empty/],
    ['no endpoint configured', ['--context', '-', '--query', 'q'], {}, /no model endpoint configured.*rlm demo/],
    ['an invalid number', ['--context', '-', '--query', 'q', '--base-url', 'http://127.0.0.1:9/v1', '--max-depth', 'two'], {}, /--max-depth: /],
    ['a negative budget', ['--context', '-', '--query', 'q', '--base-url', 'http://127.0.0.1:9/v1', '--max-cost=-1'], {}, /--max-cost: /],
    ['a context above the configured maximum', ['--context', '-', '--query', 'q', '--base-url', 'http://127.0.0.1:9/v1'], { RLM_MAX_CONTEXT_CHARS: '10' }, /--context: stdin is too large: more than the maximum of 10 characters/],
    ['an unknown flag', ['--context', '-', '--query', 'q', '--frobnicate'], {}, /frobnicate/],
    ['an unknown REPL language', ['--context', '-', '--query', 'q', '--base-url', 'http://127.0.0.1:9/v1', '--repl', 'ruby'], {}, /--repl \/ RLM_REPL: /],
  ];
  for (const [name, args, env, message] of badInputs) {
    it(`rejects ${name} with one line and exit code 2`, async () => {
      const result = await runCli(['run', ...args], env, 'some context text');
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    });
  }

  it('never prints the API key', async () => {
    const secret = 'sk-test-SECRET-abcdef123456';
    const result = await runCli(['run', '--context', '-', '--query', 'q', '--api-key', secret, '--base-url', 'http://127.0.0.1:9/v1', '--max-depth', 'x'], {}, 'ctx');
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).not.toContain(secret);
  });
});

describe('rlm demo', () => {
  it('runs against the simulator, says so first, and grades its answers', async () => {
    const result = await runCli(['demo', '--chars', '200000']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Using the simulated model/);
    expect(result.stdout.match(/grade 1\.00/g)).toHaveLength(2);
    expect(result.stdout).toMatch(/answered from the cache/);
  }, 60_000);

  it('runs with --repl python: the simulated model writes Python for the sealed sandbox', async () => {
    const result = await runCli(['demo', '--chars', '200000', '--repl', 'python']);
    expect(result.code).toBe(0);
    expect(result.stdout.match(/grade 1\.00/g)).toHaveLength(2);
  }, 120_000);
});

describe('rlm run --repl python', () => {
  it('answers through the Python REPL and records Python code in the trajectory', async () => {
    const traceFile = path.join(dir, 'python-trace.jsonl');
    const result = await runCli([
      'run', '--context', contextFile, '--query', task.query, '--base-url', sim.baseUrl,
      '--model', 'sim-large', '--repl', 'python', '--json', '--trace-out', traceFile,
    ]);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { answer: string; stopReason: string };
    expect(parsed.stopReason).toBe('final');
    expect(gradeAnswer(task, parsed.answer)).toBe(1);
    const steps = (await readFile(traceFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; code?: string })
      .filter((event) => event.type === 'step-start');
    expect(steps.some((step) => step.code?.includes('llm_query_batched(prompts)'))).toBe(true);
  }, 120_000);
});
