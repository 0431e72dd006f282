import { describe, expect, it } from 'vitest';
import { numericFigures, renderBenchMarkdown, renderComparison, resultFileBase, type BenchReport } from '../../bench/report.ts';

const machine = {
  cpus: 2,
  cpuModel: 'x',
  memoryGiB: 1,
  platform: 'p',
  node: 'v24',
  commit: 'abc',
  loadAverage: [1, 1, 1],
};
const report = (results: Record<string, unknown>): BenchReport => ({
  command: 'pnpm bench',
  at: '2026-11-24T00:00:00.000Z',
  machine,
  results,
  titles: {},
});

describe('bench reports', () => {
  it('marks entries kept from an earlier run (--merge) with that run', () => {
    const merged: BenchReport = {
      ...report({ fresh: { value: 1 }, kept: { value: 2 } }),
      earlier: { kept: { at: '2026-11-20T00:00:00.000Z', commit: 'old', loadAverage: [0.5, 0.5, 0.5] } },
    };
    const markdown = renderBenchMarkdown(merged);
    expect(markdown).toContain('(kept from an earlier run: 2026-11-20T00:00:00.000Z, commit old, load average 0.5, 0.5, 0.5)');
    expect(markdown.split('kept from an earlier run')).toHaveLength(2);
  });

  it('flattens numeric figures by path, arrays by index', () => {
    const figures = numericFigures({
      fanOut: { ratio: 1.1, label: 'x' },
      steps: [{ ms: 2 }, { ms: 3 }],
    });
    expect([...figures]).toEqual([
      ['fanOut.ratio', 1.1],
      ['steps.0.ms', 2],
      ['steps.1.ms', 3],
    ]);
  });

  it('compares two files figure by figure as B / A', () => {
    const a = report({ throughput: { subcallsPerSecond: 1000 }, gone: { value: 1 } });
    const b = report({ throughput: { subcallsPerSecond: 1500 }, added: { value: 2 } });
    const table = renderComparison(a, b, ['a.json', 'b.json']);
    expect(table).toContain('| throughput.subcallsPerSecond | 1000 | 1500 | 1.500 |');
    expect(table).not.toContain('gone.value');
    expect(table).toContain('only in B: added.value');
  });
});

describe('resultFileBase', () => {
  it('writes the full run to latest and a subset elsewhere, so --only never replaces the full results', () => {
    expect(resultFileBase(undefined)).toBe('latest');
    expect(resultFileBase(['fanOut', 'cluster'])).toBe('only-cluster-fanOut');
    expect(resultFileBase(['latest'])).not.toBe('latest');
  });
});
