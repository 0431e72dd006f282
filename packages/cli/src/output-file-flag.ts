/**
 * Flags that name a file to write (`--trace-out`, `--out`, `--csv`): problems are bad input,
 * reported in one line that names the flag, never a raw `EISDIR`. `checkOutputFile` runs before
 * any work starts, so a batch does not fail after hours on a path it could have refused at once.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from './usage-error.ts';

const REASONS: Record<string, string> = {
  EISDIR: 'it is a directory; give a file path',
  ENOENT: 'its directory does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a parent of it is not a directory',
};

/** The one-line usage error for a file flag whose path could not be written. */
export function outputFileError(flag: string, file: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = (code === undefined ? undefined : REASONS[code]) ?? code ?? (error instanceof Error ? error.message : String(error));
  return usageError(`--${flag}: cannot write ${file} (${reason})`);
}

/** Refuses a path that is a directory or whose directory does not exist; the file itself may be new. */
export async function checkOutputFile(flag: string, file: string): Promise<void> {
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory() === true) throw outputFileError(flag, file, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
  if (existing !== undefined) return;
  const parent = await stat(path.dirname(path.resolve(file))).catch((error: unknown) => error);
  if (parent instanceof Error) throw outputFileError(flag, file, parent);
  if (!(parent as { isDirectory(): boolean }).isDirectory())
    throw outputFileError(flag, file, Object.assign(new Error('ENOTDIR'), { code: 'ENOTDIR' }));
}
