/**
 * `rlm eval` end to end: the CLI as a child process against the in-process
 * simulator, tiny lengths, one instance each. Checks the results file, the
 * report and its charts, and how each method behaves at the window.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvalResults } from '@rlm/eval';
import { runCli } from '../support/run-cli.ts';

const WINDOW = 2048;

describe('rlm eval', () => {
  it('runs every method on the same instances and writes results.json, report.md and SVG charts', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'rlm-eval-'));
    const result = await runCli([
      'eval',
      '--lengths',
      '1k,4k',
      '--instances',
      '1',
      '--seed',
      '7',
      '--out',
      out,
      '--context-window',
      String(WINDOW),
      '--sim-latency-ms',
      '0',
    ]);
    expect(result.stderr).toContain('not model quality');
    expect(result.code).toBe(0);

    const run = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as EvalResults;
    expect(run.info.simulator).toBe(true);
    expect(run.results).toHaveLength(3 * 2 * 3);
    for (const item of run.results) {
      expect(Object.keys(item)).toEqual(
        expect.arrayContaining([
          'method',
          'score',
          'inputTokens',
          'costUsd',
          'wallMs',
          'calls',
          'depth',
          'stopReason',
        ]),
      );
    }
    const of = (method: string) => run.results.filter((item) => item.method === method);
    // The full RLM with a perfect simulated sub-model answers the needle at both lengths.
    expect(
      of('rlm')
        .filter((item) => item.task === 'niah')
        .map((item) => item.score),
    ).toEqual([1, 1]);
    expect(of('rlm').every((item) => item.subcalls > 0 && item.depth >= 1)).toBe(true);
    // The REPL-only ablation makes no sub-calls at all.
    expect(of('rlm-no-subcalls').every((item) => item.subcalls === 0 && item.depth === 0)).toBe(
      true,
    );
    // The direct baseline never sends more than the window, so it never hits context_length_exceeded.
    for (const item of of('direct')) {
      expect(item.stopReason).toBe('final');
      expect(item.contextTokensSeen).toBeLessThanOrEqual(WINDOW);
    }
    const longDirect = of('direct').filter((item) => item.lengthTokens === 4096);
    expect(longDirect.every((item) => (item.contextTokensSeen ?? 0) < item.contextTokens)).toBe(
      true,
    );

    const report = await readFile(path.join(out, 'report.md'), 'utf8');
    expect(report).toContain('built-in simulator');
    expect(report).toContain('Sampling error');
    expect(report).toMatch(/\| niah 4k \| .+ \| .+ \| .+ \|/);
    expect(report).toContain('## Paired differences');
    const charts = (await readdir(out)).filter((name) => name.endsWith('.svg'));
    expect(charts).toEqual(
      expect.arrayContaining([
        'score-vs-length.svg',
        'cost-vs-length.svg',
        'latency-vs-length.svg',
      ]),
    );
    for (const chart of charts) {
      expect(report).toContain(`(${chart})`);
      expect(await readFile(path.join(out, chart), 'utf8')).toMatch(
        /^<svg [^>]*>[\s\S]*<\/svg>\n$/,
      );
    }
  });

  it('scores a user-supplied JSONL task file', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'rlm-eval-'));
    const file = path.join(out, 'mine.jsonl');
    const needle = 'One of the special magic numbers for quiet-harbor is: 4242424.';
    await writeFile(
      file,
      [
        JSON.stringify({
          context: `Some text. ${needle} More text.`,
          question:
            'What is the special magic number for quiet-harbor mentioned in the provided text?',
          answer: '4242424',
          grader: 'contains',
        }),
        JSON.stringify({
          context: 'Nothing here.',
          question:
            'What is the special magic number for loud-river mentioned in the provided text?',
          answer: '1111111',
          grader: 'contains',
        }),
      ].join('\n'),
    );
    const result = await runCli([
      'eval',
      '--tasks',
      '',
      '--task-file',
      file,
      '--methods',
      'direct',
      '--out',
      out,
      '--sim-latency-ms',
      '0',
    ]);
    expect(result.code).toBe(0);
    const run = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as EvalResults;
    expect(run.results.map((item) => [item.id, item.score])).toEqual([
      ['mine/0', 1],
      ['mine/1', 0],
    ]);
  });

  it('rejects a malformed length with one line and exit code 2', async () => {
    const result = await runCli(['eval', '--lengths', '8k,lots']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'rlm: --lengths: expected token counts between 256 and 2^27 such as 8192, 8k, 1M or 2^20, got "lots"',
    );
  });

  it('runs with --repl python: the RLM methods solve in the Python sandbox', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'rlm-eval-python-'));
    const result = await runCli([
      'eval', '--repl', 'python', '--tasks', 'niah,pairs', '--methods', 'rlm,rlm-no-subcalls',
      '--lengths', '4k', '--instances', '1', '--seed', '7', '--out', out, '--sim-latency-ms', '0',
    ]);
    expect(result.code).toBe(0);
    const run = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as EvalResults;
    expect(run.results).toHaveLength(2 * 2);
    for (const item of run.results) expect(item.stopReason).toBe('final');
    const rlm = run.results.filter((item) => item.method === 'rlm');
    expect(rlm.map((item) => item.score)).toEqual([1, 1]);
    expect(rlm.every((item) => item.subcalls > 0)).toBe(true);
  }, 180_000);
});
