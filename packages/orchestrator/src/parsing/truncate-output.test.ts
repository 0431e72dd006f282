import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { truncateOutput } from './truncate-output.ts';

const MARKER = /\n\.\.\. \[truncated [\d,]+ of [\d,]+ characters\] \.\.\.\n/;

/** Splits a truncated result into what was kept before and after the marker. */
function parts(result: string): { head: string; marker: string; tail: string } {
  const match = MARKER.exec(result);
  if (match === null) throw new Error(`no marker in ${JSON.stringify(result)}`);
  return {
    head: result.slice(0, match.index),
    marker: match[0],
    tail: result.slice(match.index + match[0].length),
  };
}

describe('truncateOutput', () => {
  it('returns text that fits unchanged', () => {
    expect(truncateOutput('hello', 5)).toBe('hello');
    expect(truncateOutput('', 0)).toBe('');
  });

  it('keeps 60% head and 40% tail around a marker saying how much was cut', () => {
    const text = 'a'.repeat(100_000) + 'b'.repeat(50_000);
    const result = truncateOutput(text, 20_000);
    const { head, marker, tail } = parts(result);
    expect(head).toBe('a'.repeat(12_000));
    expect(tail).toBe('b'.repeat(8_000));
    expect(marker).toBe('\n... [truncated 130,000 of 150,000 characters] ...\n');
  });

  it('gives back a character rather than split a surrogate pair', () => {
    const text = '😀'.repeat(10);
    // A budget of 5 puts the head cut at 3 and the tail cut at 17: both mid-pair.
    const { head, tail } = parts(truncateOutput(text, 5));
    expect(head).toBe('😀');
    expect(tail).toBe('😀');
  });

  it('keeps only the marker when the limit is zero', () => {
    expect(truncateOutput('abc', 0)).toBe('\n... [truncated 3 of 3 characters] ...\n');
  });

  it('rejects a negative or NaN limit', () => {
    expect(() => truncateOutput('abc', -1)).toThrow(RangeError);
    expect(() => truncateOutput('abc', Number.NaN)).toThrow(RangeError);
  });

  describe('properties', () => {
    const text = fc.string({ unit: 'binary', maxLength: 300 });
    const limit = fc.integer({ min: 0, max: 400 });

    it('never exceeds the limit plus the marker', () => {
      fc.assert(
        fc.property(text, limit, (input, limitChars) => {
          const result = truncateOutput(input, limitChars);
          if (result === input) return;
          const { head, tail } = parts(result);
          expect(head.length + tail.length).toBeLessThanOrEqual(limitChars);
        }),
      );
    });

    it('leaves texts within the limit untouched', () => {
      fc.assert(
        fc.property(text, fc.nat(100), (input, slack) => {
          expect(truncateOutput(input, input.length + slack)).toBe(input);
        }),
      );
    });

    it('keeps a prefix and a suffix of the text and counts what it cut', () => {
      fc.assert(
        fc.property(text, limit, (input, limitChars) => {
          fc.pre(input.length > limitChars);
          const { head, marker, tail } = parts(truncateOutput(input, limitChars));
          expect(input.startsWith(head)).toBe(true);
          expect(input.endsWith(tail)).toBe(true);
          const cut = (input.length - head.length - tail.length).toLocaleString('en-US');
          expect(marker).toContain(`truncated ${cut} of`);
          // At most one character is given back at each cut.
          expect(head.length + tail.length).toBeGreaterThanOrEqual(limitChars - 2);
        }),
      );
    });

    it('never produces lone surrogates from well-formed text', () => {
      fc.assert(
        fc.property(text, limit, (input, limitChars) => {
          expect(truncateOutput(input, limitChars).isWellFormed()).toBe(true);
        }),
      );
    });
  });
});
