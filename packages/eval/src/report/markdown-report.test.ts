import { describe, expect, it } from 'vitest';
import type { EvalResults, InstanceResult, MethodName } from '../types.ts';
import { buildReport, formatTokens } from './markdown-report.ts';

function result(
  id: string,
  method: MethodName,
  lengthTokens: number,
  score: number,
): InstanceResult {
  return {
    id,
    task: 'niah',
    lengthTokens,
    contextTokens: lengthTokens,
    seed: 1,
    method,
    score,
    wallMs: 1000,
    answer: '',
    expected: '1234567',
    stopReason: 'final',
    inputTokens: 100,
    outputTokens: 10,
    cachedInputTokens: 0,
    costUsd: 0.01,
    calls: 1,
    subcalls: method === 'rlm' ? 4 : 0,
    depth: method === 'rlm' ? 1 : 0,
    iterations: 1,
  };
}

const run = (simulator: boolean): EvalResults => ({
  info: {
    command: 'rlm eval',
    startedAt: '2026-11-24T00:00:00.000Z',
    endpoint: 'http://127.0.0.1:1/v1',
    simulator,
    model: 'm',
    subModel: 's',
    contextWindowTokens: 8192,
    seed: 1,
    machine: { cpus: 2, node: 'v24', platform: 'linux' },
  },
  results: [
    result('niah/8192/0', 'rlm', 8192, 1),
    result('niah/8192/0', 'direct', 8192, 1),
    result('niah/8192/1', 'rlm', 8192, 1),
    result('niah/8192/1', 'direct', 8192, 0),
    result('niah/65536/0', 'rlm', 65536, 1),
    result('niah/65536/0', 'direct', 65536, 0),
  ],
});

describe('buildReport', () => {
  it('tabulates mean scores with their standard error and sample size', () => {
    const { markdown } = buildReport(run(false));
    expect(markdown).toContain('| niah 8k | 100.0 ± 0.0 (n=2) | 50.0 ± 50.0 (n=2) |');
    expect(markdown).toContain('| niah 64k | 100.0 ± 0.0 (n=1) | 0.0 ± 0.0 (n=1) |');
    expect(markdown).toContain('| rlm - direct | niah | +66.7 | 33.3 | 3 |');
    expect(markdown).toContain('| 8k | 4 / 4 (depth 1) | 0 / 0 (depth 0) |');
    expect(markdown).not.toContain('built-in simulator');
  });

  it('says that a simulator run measures the machinery, and draws one line per method', () => {
    const { markdown, charts } = buildReport(run(true));
    expect(markdown).toContain('measures the machinery');
    const scoreChart = charts['score-vs-length.svg'] ?? '';
    expect(scoreChart.match(/<polyline /g)).toHaveLength(2);
    expect(scoreChart).toContain('>64k<');
  });

  it('formats powers of two compactly', () => {
    expect([formatTokens(8192), formatTokens(2 ** 20), formatTokens(3000)]).toEqual([
      '8k',
      '1M',
      '3,000',
    ]);
  });
});
