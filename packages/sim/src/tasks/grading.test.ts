import { describe, expect, it } from 'vitest';
import {
  exactMatchScore,
  formatPairs,
  normaliseAnswer,
  numericScore,
  pairF1Score,
  parseFirstNumber,
  parsePairs,
} from './grading.ts';

describe('numericScore', () => {
  it('decays as 0.75^|error| on the first number in the answer', () => {
    expect(numericScore(42, 'The answer is 42.')).toBe(1);
    expect(numericScore(42, '40 instances')).toBeCloseTo(0.5625);
    expect(numericScore(42, 'about 45, maybe 42')).toBeCloseTo(0.75 ** 3);
    expect(numericScore(1200, '1,200')).toBe(1);
    expect(numericScore(3, 'no idea')).toBe(0);
  });

  it('parses negative and decimal numbers', () => {
    expect(parseFirstNumber('x = -3.5')).toBe(-3.5);
  });
});

describe('exactMatchScore', () => {
  it('ignores case, quotes, punctuation and surrounding whitespace', () => {
    expect(normaliseAnswer('  "Human Being". ')).toBe('human being');
    expect(exactMatchScore('human being', "'Human being'")).toBe(1);
    expect(exactMatchScore('more', 'More!')).toBe(1);
    expect(exactMatchScore('more', 'less')).toBe(0);
    expect(exactMatchScore('location', 'the location')).toBe(0);
  });
});

describe('pair F1', () => {
  const truth = [
    [1, 2],
    [1, 3],
    [2, 3],
    [3, 4],
  ] as const;

  it('scores the canonical text 1, partial answers by F1, and orders ids within a pair', () => {
    expect(pairF1Score(truth, formatPairs(truth))).toBe(1);
    expect(pairF1Score(truth, '(2, 1)\n(3,1)\n(3, 2)\n(4, 3)')).toBe(1);
    // 2 right of 2 given, 4 expected: precision 1, recall 0.5.
    expect(pairF1Score(truth, '(1, 2), (1, 3)')).toBeCloseTo(2 / 3);
    // 2 right of 4 given: precision 0.5, recall 0.5.
    expect(pairF1Score(truth, '(1, 2) (1, 3) (7, 8) (8, 9)')).toBeCloseTo(0.5);
    expect(pairF1Score(truth, 'none')).toBe(0);
    expect(pairF1Score([], 'none')).toBe(1);
  });

  it('accepts bare "a, b" lines when no parenthesised pairs are present', () => {
    expect(parsePairs('12, 34\n56,78')).toEqual([
      [12, 34],
      [56, 78],
    ]);
  });
});
