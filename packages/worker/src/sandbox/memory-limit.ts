import type { ContextValue } from '@rlm/shared';

const MiB = 1024 * 1024;
/** Room for the REPL's own work on top of the context (V8's usual default heap for an isolate). */
const BASE_MB = 128;
/** The context itself, plus copies the model's code typically makes of it (slices, splits, joins). */
const CONTEXT_COPIES = 3;
/** isolated-vm's limit is a guideline that hostile code can exceed 2-3x; keep one isolate well below the machine. */
const MAX_MB = 4096;

/** The default isolate memory limit: 128 MB plus three times the context's size in UTF-16 bytes. */
export function defaultMemoryLimitMb(context: ContextValue): number {
  return Math.min(MAX_MB, Math.ceil(BASE_MB + (CONTEXT_COPIES * utf16Bytes(context)) / MiB));
}

function utf16Bytes(context: ContextValue): number {
  if (typeof context === 'string') return context.length * 2;
  if (Array.isArray(context) && context.every((item) => typeof item === 'string')) {
    return context.reduce((sum: number, item: string) => sum + item.length * 2, 0);
  }
  // Any other JSON value: its JSON text is a fair estimate of what the isolate will hold.
  return JSON.stringify(context).length * 2;
}
