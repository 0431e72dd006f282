/**
 * `rlm --version`: the version of the installed @rlm/cli, read from its own
 * package.json, which sits one level above both src/ (the repository) and
 * dist/ (the installed package).
 */
import { readFileSync } from 'node:fs';

export const VERSION_FLAGS: readonly string[] = ['--version', '-v'];

export function cliVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  ) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
