/**
 * The first user message of a session: the context's metadata (never its
 * content beyond a short preview) followed by the query. The message ends with
 * the QUESTION_HEADER line and the query verbatim; the simulator's solver
 * policy relies on that layout.
 */
import { CONTEXT_PREVIEW_CHARS, QUESTION_HEADER } from '@rlm/shared';
import type { ContextValue } from '@rlm/shared';

export interface ContextMetadata {
  readonly type: string;
  /** Characters of the context (for arrays and JSON: of its serialised form). */
  readonly totalChars: number;
  /** Number of items for arrays, keys for objects. */
  readonly items?: number;
  /** Lengths of the first array items, when the context is an array. */
  readonly itemLengths?: readonly number[];
  readonly preview: string;
}

const ITEM_LENGTHS_SHOWN = 20;
/** Rough characters per token, only to give the model a sense of scale. */
const CHARS_PER_TOKEN = 4;

export function describeContext(context: ContextValue): ContextMetadata {
  if (typeof context === 'string') {
    return { type: 'string', totalChars: context.length, preview: context.slice(0, CONTEXT_PREVIEW_CHARS) };
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

export function renderRootUserMessage(metadata: ContextMetadata, query: string): string {
  const lines = [
    'The context is loaded in the REPL variable `context`.',
    `Type: ${metadata.type}`,
    `Size: ${metadata.totalChars.toLocaleString('en-US')} characters (about ${Math.ceil(metadata.totalChars / CHARS_PER_TOKEN).toLocaleString('en-US')} tokens)`,
  ];
  if (metadata.items !== undefined) lines.push(`Items: ${metadata.items.toLocaleString('en-US')}`);
  if (metadata.itemLengths !== undefined && metadata.itemLengths.length > 0) {
    const shown = metadata.itemLengths.join(', ');
    const more = (metadata.items ?? 0) > metadata.itemLengths.length ? ', ...' : '';
    lines.push(`Item lengths (characters): ${shown}${more}`);
  }
  lines.push(`Preview of the first ${CONTEXT_PREVIEW_CHARS} characters:`, '"""', metadata.preview, '"""', '');
  lines.push('Start by exploring `context` with code. Do not answer before you have looked.', '');
  lines.push(QUESTION_HEADER, query);
  return lines.join('\n');
}
