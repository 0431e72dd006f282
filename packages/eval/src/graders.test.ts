import { describe, expect, it } from 'vitest';
import { grade } from './graders.ts';

describe('grade', () => {
  it('exact: matches after lowercasing, stripping punctuation and collapsing spaces', () => {
    expect(grade('exact', 'human being', '  Human   being. ')).toBe(1);
    expect(grade('exact', 'more', '"More"')).toBe(1);
    expect(grade('exact', 'location', 'The location')).toBe(0);
    expect(grade('exact', 'less', 'more')).toBe(0);
  });

  it('numeric: 0.75 to the power of the absolute error, from the first number written', () => {
    expect(grade('numeric', '10', '10')).toBe(1);
    expect(grade('numeric', '10', 'There are 12 of them.')).toBeCloseTo(0.5625, 10);
    expect(grade('numeric', '10', '7')).toBeCloseTo(0.75 ** 3, 10);
    expect(grade('numeric', '1234', 'about 1,234')).toBe(1);
    expect(grade('numeric', '10', 'I do not know')).toBe(0);
    expect(() => grade('numeric', 'ten', '10')).toThrow(RangeError);
  });

  it('pairs: F1 over the set of unordered pairs', () => {
    const expected = '(1, 2)\n(3, 4)';
    expect(grade('pairs', expected, '(2, 1)\n(4, 3)')).toBe(1);
    // One right, one wrong: precision 1/2, recall 1/2.
    expect(grade('pairs', expected, '(2, 1) (5, 6)')).toBeCloseTo(0.5, 10);
    // One right, nothing wrong: precision 1, recall 1/2, F1 2/3.
    expect(grade('pairs', expected, '(1, 2)')).toBeCloseTo(2 / 3, 10);
    // Duplicates count once.
    expect(grade('pairs', expected, '(1, 2)\n(2, 1)\n(3, 4)')).toBe(1);
    expect(grade('pairs', expected, 'none')).toBe(0);
    expect(grade('pairs', '', 'NONE')).toBe(1);
  });

  it('contains: the needle anywhere in the answer', () => {
    expect(grade('contains', '4242424', 'The special magic number is 4242424.')).toBe(1);
    expect(grade('contains', '4242424', '424242')).toBe(0);
    expect(grade('contains', 'Quiet Harbor', 'it is the quiet harbor!')).toBe(1);
  });
});
