/**
 * Reading `--context FILE|-` as untrusted input, before any model is called:
 *
 * - the size is checked before reading: a regular file whose byte count alone proves it holds
 *   more than `maxChars` characters is refused from `stat`; anything else (stdin, devices, pipes,
 *   `/dev/zero`) is read as a stream that stops as soon as it passes `maxChars`, so memory never
 *   exceeds what the limit allows;
 * - the text must be UTF-8: invalid bytes are refused, not replaced, and so is a NUL byte,
 *   which no text file contains (binary input would otherwise reach the model as noise);
 * - an empty (or whitespace-only) context is refused: there is nothing to ask about;
 * - a file ending in `.json` must parse as JSON.
 * Every error is a usage error (exit 2) naming the flag. See
 * docs/decisions/2026-11-29-strict-cli-input.md.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import type { ContextValue } from '@rlm/shared';
import { usageError } from './usage-error.ts';

/** UTF-8 needs at most 4 bytes per UTF-16 code unit's worth of text (BMP: 3, pairs: 4 for 2 units). */
const MAX_BYTES_PER_CHAR = 4;

export interface ContextSourceOptions {
  readonly flag: string;
  /** Characters (UTF-16 code units, as `string.length` counts them). */
  readonly maxChars: number;
  /** Where `-` reads from. */
  readonly stdin: () => AsyncIterable<Uint8Array>;
}

export async function readContextSource(source: string, options: ContextSourceOptions): Promise<ContextValue> {
  const where = source === '-' ? 'stdin' : source;
  const fail = (problem: string): Error => usageError(`--${options.flag}: ${where} ${problem}`);
  if (source !== '-') await checkFileBeforeReading(source, options.maxChars, fail);
  const text = await readCapped(source === '-' ? options.stdin() : createReadStream(source), options.maxChars, fail);
  if (text.trim() === '') throw fail('is empty; give the material to ask about');
  if (!source.endsWith('.json')) return text;
  try {
    return JSON.parse(text) as ContextValue;
  } catch (error) {
    throw fail(`is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

async function checkFileBeforeReading(path: string, maxChars: number, fail: (problem: string) => Error): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw fail(`cannot be read (${describeFsError(error)})`);
  }
  if (info.isDirectory()) throw fail('is a directory, not a file');
  if (info.isFile() && info.size > maxChars * MAX_BYTES_PER_CHAR) throw fail(tooLarge(maxChars, info.size));
}

async function readCapped(
  stream: AsyncIterable<Uint8Array>,
  maxChars: number,
  fail: (problem: string) => Error,
): Promise<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const pieces: string[] = [];
  let chars = 0;
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      if (chunk.includes(0)) throw fail(`contains a NUL byte (near byte ${(bytes + chunk.indexOf(0)).toLocaleString('en-US')}): binary input is not supported; give UTF-8 text or JSON`);
      const piece = decodeOrFail(decoder, chunk, true, bytes, fail);
      bytes += chunk.length;
      chars += piece.length;
      // Stop reading at the limit: /dev/zero or a huge pipe must not be read whole first.
      if (chars > maxChars) throw fail(tooLarge(maxChars));
      pieces.push(piece);
    }
    pieces.push(decodeOrFail(decoder, new Uint8Array(0), false, bytes, fail));
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'config_invalid') throw error;
    throw fail(`cannot be read (${describeFsError(error)})`);
  } finally {
    // Closes a file stream left early; a no-op for streams that ended.
    (stream as { destroy?: () => void }).destroy?.();
  }
  return pieces.join('');
}

function decodeOrFail(
  decoder: TextDecoder,
  chunk: Uint8Array,
  more: boolean,
  offset: number,
  fail: (problem: string) => Error,
): string {
  try {
    return decoder.decode(chunk, { stream: more });
  } catch {
    throw fail(`is not valid UTF-8 (in the bytes after offset ${offset.toLocaleString('en-US')}); give UTF-8 text or JSON`);
  }
}

function tooLarge(maxChars: number, bytes?: number): string {
  const size = bytes === undefined ? '' : ` ${bytes.toLocaleString('en-US')} bytes,`;
  return `is too large:${size} more than the maximum of ${maxChars.toLocaleString('en-US')} characters (RLM_MAX_CONTEXT_CHARS)`;
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? (error instanceof Error ? error.message : String(error));
}
