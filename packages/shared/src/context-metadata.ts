/**
 * What a session is told about its context without seeing it: type, size and
 * a short preview. Computed once where the context is known (the submitter),
 * so cluster sessions never load the context itself to build their prompt.
 */
import { CONTEXT_PREVIEW_CHARS, CONTEXT_TAIL_CHARS } from './protocol.ts';
import type { ContextValue } from './protocol.ts';
import type { ContextMetadata } from './jobs/task-schemas.ts';

const ITEM_LENGTHS_SHOWN = 20;

export function describeContext(context: ContextValue): ContextMetadata {
  if (typeof context === 'string') {
    return {
      type: 'string',
      totalChars: context.length,
      preview: context.slice(0, CONTEXT_PREVIEW_CHARS),
      ...tailOf(context),
    };
  }
  if (Array.isArray(context)) {
    const items = context as readonly unknown[];
    const lengths = items.map((item) => (typeof item === 'string' ? item.length : JSON.stringify(item).length));
    const first = items[0];
    const preview = typeof first === 'string' ? first : JSON.stringify(first ?? null);
    return {
      type: items.every((item) => typeof item === 'string') ? 'array of strings' : 'array',
      totalChars: lengths.reduce((sum, length) => sum + length, 0),
      items: items.length,
      itemLengths: lengths.slice(0, ITEM_LENGTHS_SHOWN),
      preview: preview.slice(0, CONTEXT_PREVIEW_CHARS),
      ...(items.length > 1 && typeof items.at(-1) === 'string' ? tailOf(items.at(-1) as string, 0) : {}),
    };
  }
  const serialised = JSON.stringify(context) ?? 'null';
  const isObject = context !== null && typeof context === 'object';
  return {
    type: isObject ? 'object (JSON)' : `${typeof context} (JSON)`,
    totalChars: serialised.length,
    ...(isObject ? { items: Object.keys(context).length } : {}),
    preview: serialised.slice(0, CONTEXT_PREVIEW_CHARS),
  };
}

/** `{tail}` when the text goes past what the preview already shows. */
function tailOf(text: string, shown = CONTEXT_PREVIEW_CHARS): { tail?: string } {
  if (text.length <= shown) return {};
  return { tail: text.slice(Math.max(shown, text.length - CONTEXT_TAIL_CHARS)) };
}
