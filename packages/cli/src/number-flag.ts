/** Reads a numeric flag value; anything else is a one-line usage error naming the flag. */
import { usageError } from './usage-error.ts';

export interface NumberRange {
  readonly min: number;
  readonly max?: number;
  /** Whole numbers only. */
  readonly integer?: boolean;
}

export function numberFlag(flag: string, raw: unknown, range: NumberRange): number {
  // Plain decimals only: Number() would also take "0x10", "1e3", " 1 " and "Infinity".
  const value = typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const kind = range.integer === true ? 'an integer' : 'a number';
  const valid = Number.isFinite(value) && (range.integer !== true || Number.isInteger(value));
  if (!valid || value < range.min || value > max) {
    // Number.MIN_VALUE is how callers say "positive": 5e-324 means nothing to a reader.
    const low = range.min === Number.MIN_VALUE ? '> 0' : `>= ${range.min}`;
    const bounds = range.max === undefined ? low : `between ${range.min} and ${range.max}`;
    throw usageError(`--${flag}: expected ${kind} ${bounds}, got "${String(raw)}"`);
  }
  return value;
}
