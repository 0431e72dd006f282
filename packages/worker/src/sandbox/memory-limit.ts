import type { ContextValue } from '@rlm/shared';
import type { ReplSnapshot } from './repl-snapshot.ts';

const MiB = 1024 * 1024;
/** Room for the REPL's own work on top of the context (V8's usual default heap for an isolate). */
const BASE_MB = 128;
/** The context itself, plus copies the model's code typically makes of it (slices, splits, joins). */
const CONTEXT_COPIES = 3;
/**
 * A restored state takes more room in the heap than in V8's serialized form (an object of two
 * small fields is some 60 bytes in the heap and 10 serialized), and deserializing it keeps a table
 * of every object until it is done.
 */
const RESTORED_STATE_COPIES = 4;
/** isolated-vm's limit is a guideline that hostile code can exceed 2-3x; keep one isolate well below the machine. */
const MAX_MB = 4096;

/**
 * The default isolate memory limit: 128 MB plus three times the context's size in UTF-16 bytes,
 * plus, for a session restored from a snapshot, four times the snapshot's serialized values: the
 * state fitted in the session that saved it, and a restore must not be what runs out of memory.
 */
export function defaultMemoryLimitMb(context: ContextValue, restore?: ReplSnapshot): number {
  const bytes =
    CONTEXT_COPIES * utf16Bytes(context) +
    (restore === undefined ? 0 : RESTORED_STATE_COPIES * serializedBytes(restore));
  return Math.min(MAX_MB, Math.ceil(BASE_MB + bytes / MiB));
}

function serializedBytes(snapshot: ReplSnapshot): number {
  let base64Chars = snapshot.answer.content.length;
  for (const entry of snapshot.entries)
    if (entry.kind === 'value') base64Chars += entry.data.length;
  return (base64Chars * 3) / 4;
}

function utf16Bytes(context: ContextValue): number {
  if (typeof context === 'string') return context.length * 2;
  if (Array.isArray(context) && context.every((item) => typeof item === 'string')) {
    return context.reduce((sum: number, item: string) => sum + item.length * 2, 0);
  }
  // Any other JSON value: its JSON text is a fair estimate of what the isolate will hold.
  return JSON.stringify(context).length * 2;
}
