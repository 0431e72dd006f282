import { describe, expect, it } from 'vitest';
import { distribution, mean, pairedDifference, quantile, standardError } from './stats.ts';

describe('stats', () => {
  it('quantiles interpolate between closest ranks', () => {
    const values = [4, 1, 3, 2, 5];
    expect(quantile(values, 0.5)).toBe(3);
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 1)).toBe(5);
    expect(quantile(values, 0.9)).toBeCloseTo(4.6, 10);
    expect(quantile([], 0.5)).toBeNaN();
    expect(distribution([1, 2, 3, 4, 100])).toMatchObject({ n: 5, median: 3, max: 100 });
  });

  it('the standard error of 50 coin-flip scores is about 7 points', () => {
    const scores = Array.from({ length: 50 }, (_, index) => index % 2);
    expect(mean(scores)).toBe(0.5);
    expect(standardError(scores)).toBeCloseTo(0.0714, 3);
    expect(standardError([1])).toBe(0);
  });

  it('paired differences use only the instances both sides answered', () => {
    const a = new Map([
      ['x', 1],
      ['y', 1],
      ['z', 0],
      ['only-a', 1],
    ]);
    const b = new Map([
      ['x', 0],
      ['y', 1],
      ['z', 0],
    ]);
    const difference = pairedDifference(a, b);
    expect(difference.n).toBe(3);
    expect(difference.mean).toBeCloseTo(1 / 3, 10);
    // Differences 1, 0, 0: sample sd sqrt(1/3), se sqrt(1/9).
    expect(difference.standardError).toBeCloseTo(1 / 3, 10);
  });
});
