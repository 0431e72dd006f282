import { describe, expect, it } from 'vitest';
import { numberFlag } from './number-flag.ts';

describe('numberFlag', () => {
  it('reads a plain decimal in range', () => {
    expect(numberFlag('max-cost-total', '0.5', { min: Number.MIN_VALUE })).toBe(0.5);
  });

  it('says "> 0" for a positive-only flag, not the smallest double', () => {
    expect(() => numberFlag('max-cost-total', '0', { min: Number.MIN_VALUE })).toThrow(
      '--max-cost-total: expected a number > 0, got "0"',
    );
  });

  it('names an inclusive range', () => {
    expect(() => numberFlag('port', '70000', { min: 0, max: 65_535, integer: true })).toThrow(
      '--port: expected an integer between 0 and 65535, got "70000"',
    );
  });
});
