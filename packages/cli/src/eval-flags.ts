/** Flag parsing of `rlm eval` beyond plain numbers: lists, token lengths, and the recorded command. */
import { usageError } from './usage-error.ts';

/** A comma-separated list whose items must be among `allowed`; duplicates dropped. */
export function listFlag<T extends string>(flag: string, raw: string, allowed: readonly T[]): T[] {
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw usageError(`--${flag}: unknown "${item}" (expected ${allowed.join(', ')})`);
  }
  return [...new Set(items)] as T[];
}

/** The arguments as recorded in the report: an API key (`--api-key K` or `--api-key=K`) never is. */
export function withoutSecrets(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (arg === '--api-key') index += 1;
    else if (!arg.startsWith('--api-key=')) kept.push(arg);
  }
  return kept;
}

/** `8192`, `8k` (x1024), `1M` (x2^20) or `2^13`. */
export function parseLength(text: string): number {
  const power = /^2\^(\d{1,2})$/.exec(text);
  const scaled = /^(\d+)([kKmM]?)$/.exec(text);
  let value = Number.NaN;
  if (power?.[1]) value = 2 ** Number(power[1]);
  else if (scaled?.[1])
    value =
      Number(scaled[1]) * (scaled[2] === '' ? 1 : /k/i.test(scaled[2] ?? '') ? 1024 : 2 ** 20);
  if (!Number.isInteger(value) || value < 256 || value > 2 ** 27) {
    throw usageError(
      `--lengths: expected token counts between 256 and 2^27 such as 8192, 8k, 1M or 2^20, got "${text}"`,
    );
  }
  return value;
}
