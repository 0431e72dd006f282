/**
 * `rlm batch` killed with SIGKILL mid-run and run again: every pair is in the
 * output exactly once, and the second run makes provider calls only for the
 * pairs it answers (counted at the simulator), so finished pairs are never
 * paid for twice. A third run finds nothing to do.
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchRecord } from '@rlm/sdk';
import { generateTask, startSimServer } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';
import { runCli } from '../support/run-cli.ts';
import { waitFor } from '../support/wait-for.ts';

const MAIN = path.resolve(import.meta.dirname, '../../packages/cli/src/main.ts');
const DOCUMENTS = 200;

let sim: SimServer;
let dir: string;
let args: string[];

beforeAll(async () => {
  // A little latency per call keeps the run going long enough to be killed mid-way.
  sim = await startSimServer({
    policy: { type: 'solver' },
    latency: { firstTokenMs: 15, perOutputTokenMs: 0 },
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'rlm-batch-'));
  const input = path.join(dir, 'docs.jsonl');
  const lines = Array.from({ length: DOCUMENTS }, (_, index) =>
    JSON.stringify({
      id: `doc-${index}`,
      text: generateTask('needle', { seed: index, contextChars: 3_000 }).context,
    }),
  );
  await writeFile(input, `${lines.join('\n')}\n`);
  const query = generateTask('needle', { seed: 0, contextChars: 3_000 }).query;
  args = [
    'batch',
    '--input',
    input,
    '--query',
    query,
    '--out',
    path.join(dir, 'out.jsonl'),
    '--base-url',
    sim.baseUrl,
    '--model',
    'sim-large',
    '--concurrency',
    '4',
  ];
});
afterAll(async () => {
  await sim?.close();
});

async function outputLines(): Promise<string[]> {
  const text = await readFile(path.join(dir, 'out.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '');
}

describe('rlm batch resume after kill -9', () => {
  it('answers every pair exactly once and never repeats provider calls of finished pairs', async () => {
    const out = path.join(dir, 'out.jsonl');
    const child = spawn(process.execPath, ['--no-node-snapshot', MAIN, ...args], {
      stdio: 'ignore',
      env: { PATH: process.env['PATH'] ?? '' },
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    await waitFor(
      'a quarter of the batch',
      async () => (await outputLines()).length >= DOCUMENTS / 4,
      60_000,
    );
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const firstRun = (await readFile(out, 'utf8')).split('\n');
    const tornByKill = firstRun.pop() ?? '';
    expect(firstRun.length).toBeLessThan(DOCUMENTS);
    // Whatever the kill left, also leave a torn line of our own: the resume must cut it.
    await appendFile(out, tornByKill === '' ? '{"key":"torn-mid-wri' : '');

    const requestsBefore = sim.stats().totalRequests;
    const resumed = await runCli(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/cut a torn last line/);
    expect(resumed.stderr).toContain(
      `${DOCUMENTS - firstRun.length} answered, ${firstRun.length} already done, 0 failed`,
    );

    const lines = await outputLines();
    expect(lines.slice(0, firstRun.length)).toEqual(firstRun);
    const records = lines.map((line) => JSON.parse(line) as BatchRecord);
    expect(records).toHaveLength(DOCUMENTS);
    expect(new Set(records.map((record) => record.id)).size).toBe(DOCUMENTS);
    expect(new Set(records.map((record) => record.key)).size).toBe(DOCUMENTS);
    for (const record of records) {
      expect(record).toMatchObject({
        stopReason: 'final',
        error: null,
        answer: expect.any(String),
        traceId: expect.any(String),
      });
    }
    // Run 2 paid exactly for the pairs it answered: no call of a finished pair was repeated.
    const callsOfResumedPairs = records
      .slice(firstRun.length)
      .reduce((sum, record) => sum + record.usage.calls, 0);
    expect(sim.stats().totalRequests - requestsBefore).toBe(callsOfResumedPairs);

    const again = await runCli(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`0 answered, ${DOCUMENTS} already done`);
    expect(sim.stats().totalRequests - requestsBefore).toBe(callsOfResumedPairs);
    expect(await outputLines()).toHaveLength(DOCUMENTS);
  });

  it('stops cleanly on SIGINT: no cancelled pair is written, and the next run finishes the rest', async () => {
    const out = path.join(dir, 'interrupted.jsonl');
    const input = path.join(dir, 'fewer-docs.jsonl');
    const fewer = 40;
    const allDocuments = (await readFile(path.join(dir, 'docs.jsonl'), 'utf8')).split('\n');
    await writeFile(input, `${allDocuments.slice(0, fewer).join('\n')}\n`);
    const interruptedArgs = args.map((arg) =>
      arg.endsWith('out.jsonl') ? out : arg.endsWith('docs.jsonl') ? input : arg,
    );
    const child = spawn(process.execPath, ['--no-node-snapshot', MAIN, ...interruptedArgs], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '' },
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    const lines = async (): Promise<string[]> =>
      (await readFile(out, 'utf8').catch(() => '')).split('\n').filter((line) => line !== '');
    await waitFor('some answered pairs', async () => (await lines()).length >= 5, 60_000);
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(stderr).toMatch(/interrupted: run the same command to resume/);
    const written = (await lines()).map((line) => JSON.parse(line) as BatchRecord);
    expect(written.length).toBeLessThan(fewer);
    expect(written.every((record) => record.stopReason === 'final')).toBe(true);
    const resumed = await runCli([...interruptedArgs, '--quiet']);
    expect(resumed.code).toBe(0);
    expect(new Set((await lines()).map((line) => (JSON.parse(line) as BatchRecord).id)).size).toBe(
      fewer,
    );
    expect(await lines()).toHaveLength(fewer);
  });

  it('writes CSV with a header and one row per pair', async () => {
    const csv = path.join(dir, 'out.csv');
    const result = await runCli([...args, '--csv', csv, '--quiet']);
    expect(result.code).toBe(0);
    const rows = (await readFile(csv, 'utf8')).trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'id,query,answer,parsed,stopReason,inputTokens,outputTokens,cachedInputTokens,calls,costUsd,durationMs,traceId,error',
    );
    expect(rows).toHaveLength(DOCUMENTS + 1);
  });

  it('rejects bad input with one line and exit code 2', async () => {
    const missing = await runCli([
      'batch',
      '--input',
      path.join(dir, 'nope.jsonl'),
      '--query',
      'q',
      '--out',
      path.join(dir, 'x.jsonl'),
      '--base-url',
      sim.baseUrl,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^rlm: --input: cannot read .*nope\.jsonl \(ENOENT\)$/);
    const noQuery = await runCli(['batch', '--input', dir, '--out', path.join(dir, 'x.jsonl')]);
    expect(noQuery.code).toBe(2);
    expect(noQuery.stderr).toMatch(/--query is required/);
  });
});
