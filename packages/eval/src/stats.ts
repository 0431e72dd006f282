/**
 * The few statistics a report needs: quantiles, means with their standard
 * error, and paired differences between two methods on the same instances
 * (pairing removes the instance-to-instance spread from the comparison).
 */

/** Linear interpolation between closest ranks (type 7, as numpy and R default); NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Standard error of the mean (sample standard deviation / sqrt(n)); 0 for fewer than two values. */
export function standardError(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const average = mean(values);
  const variance =
    values.reduce((sum, value) => sum + (value - average) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance / values.length);
}

export interface Distribution {
  readonly n: number;
  readonly median: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export function distribution(values: readonly number[]): Distribution {
  return {
    n: values.length,
    median: quantile(values, 0.5),
    p90: quantile(values, 0.9),
    p99: quantile(values, 0.99),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
  };
}

export interface PairedDifference {
  /** Instances both methods answered. */
  readonly n: number;
  /** Mean of (score of a - score of b). */
  readonly mean: number;
  readonly standardError: number;
}

/** Pairs scores by instance id; instances only one side has are left out. */
export function pairedDifference(
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
): PairedDifference {
  const differences: number[] = [];
  for (const [id, score] of a) {
    const other = b.get(id);
    if (other !== undefined) differences.push(score - other);
  }
  return {
    n: differences.length,
    mean: mean(differences),
    standardError: standardError(differences),
  };
}
