/**
 * `parseArgs` with one more rule: a flag given twice is an error (node keeps the last value
 * silently, so `--max-cost 1 ... --max-cost 100` would quietly raise a budget). Flags declared
 * `multiple: true` may repeat. Everything else (unknown flags, missing values) is parseArgs'
 * own `ERR_PARSE_ARGS_*` error, which main.ts reports as bad input.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { usageError } from './usage-error.ts';

export function parseFlags<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  const { tokens } = parseArgs({ ...config, tokens: true });
  const seen = new Set<string>();
  for (const token of tokens ?? []) {
    if (token.kind !== 'option') continue;
    const declared = config.options?.[token.name];
    if (declared?.multiple === true) continue;
    if (seen.has(token.name)) throw usageError(`--${token.name} is given more than once; give it once`);
    seen.add(token.name);
  }
  return parseArgs(config);
}
