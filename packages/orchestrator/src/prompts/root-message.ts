/**
 * The first user message of a session: the context's metadata (never its
 * content beyond a short preview) followed by the query. The message ends with
 * the QUESTION_HEADER line and the query verbatim; the simulator's solver
 * policy relies on that layout.
 */
import { CONTEXT_PREVIEW_CHARS, QUESTION_HEADER } from '@rlm/shared';
import type { ContextMetadata } from '@rlm/shared';

/** Rough characters per token, only to give the model a sense of scale. */
const CHARS_PER_TOKEN = 4;

/** `notes` (a conversation's added contexts and earlier exchanges) go just before the question. */
export function renderRootUserMessage(metadata: ContextMetadata, query: string, notes?: string): string {
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
  lines.push(
    `Preview of the first ${CONTEXT_PREVIEW_CHARS} characters:`,
    '"""',
    metadata.preview,
    '"""',
    '',
  );
  if (metadata.tail !== undefined) {
    const of = metadata.items === undefined ? '' : ' of the last item';
    lines.push(`The last ${metadata.tail.length} characters${of}:`, '"""', metadata.tail, '"""', '');
  }
  lines.push('Start by exploring `context` with code. Do not answer before you have looked.', '');
  if (notes !== undefined) lines.push(notes);
  lines.push(QUESTION_HEADER, query);
  return lines.join('\n');
}
