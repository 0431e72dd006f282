/**
 * What the first message of a follow-up question adds (issue 16): the contexts added after the
 * first one and a short summary of the earlier exchanges. Earlier transcripts are never replayed:
 * the REPL kept their variables, and `history` holds the full questions and answers.
 */
import type { ContextMetadata, ConversationScope } from '@rlm/shared';

/** Characters of each earlier question and answer quoted in the summary; `history` has them whole. */
const SUMMARY_CHARS = 300;
/** Earlier exchanges summarised, newest last; older ones are only in `history`. */
const SUMMARY_EXCHANGES = 10;

export function renderConversationNotes(conversation: ConversationScope | undefined): string | undefined {
  if (conversation === undefined) return undefined;
  const lines: string[] = [];
  conversation.contextMetadata.forEach((metadata, index) => lines.push(addedContextLine(metadata, index + 1)));
  if (conversation.contextMetadata.length > 0) lines.push('`context_0` is another name for `context`.', '');
  const { history } = conversation;
  if (history.length > 0) {
    lines.push(
      `This is a follow-up question: ${history.length} earlier question(s) were asked over the same context.`,
      'The REPL kept every variable they created (check with SHOW_VARS() before recomputing anything).',
      '`history` is a list of {question, answer} for the earlier exchanges, oldest first. In short:',
    );
    const shown = history.slice(-SUMMARY_EXCHANGES);
    const offset = history.length - shown.length;
    shown.forEach((exchange, index) => {
      lines.push(`${offset + index + 1}. Q: ${clip(exchange.question)}`, `   A: ${clip(exchange.answer)}`);
    });
    lines.push('');
  }
  return lines.length === 0 ? undefined : lines.join('\n');
}

function addedContextLine(metadata: ContextMetadata, index: number): string {
  const items = metadata.items === undefined ? '' : `, ${metadata.items.toLocaleString('en-US')} items`;
  return `\`context_${index}\` holds another context: ${metadata.type}, ${metadata.totalChars.toLocaleString('en-US')} characters${items}; it starts: ${JSON.stringify(metadata.preview.slice(0, 200))}`;
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= SUMMARY_CHARS ? flat : `${flat.slice(0, SUMMARY_CHARS)}... (${flat.length.toLocaleString('en-US')} characters)`;
}
