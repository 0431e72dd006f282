/**
 * The words of compaction: the instruction for the one extra root-model call that summarises
 * older turns, and the note that takes their place in the conversation. Ours, written for this
 * engine. The instruction avoids naming the REPL functions, so the simulator (and any reader of
 * a trajectory) does not mistake the summary call for a session turn.
 */
import type { ChatMessage } from '@rlm/shared';

export const COMPACTION_INSTRUCTION = [
  'You are condensing the middle of a long working session between an analyst and a code runner, so that the analyst can go on within a limited memory.',
  'Write a compact summary, in plain prose and short lists, of what the transcript below established: the facts and intermediate results found (with exact numbers, names and identifiers), the variables the code created and what they hold, approaches that failed and why, and what was about to be done next.',
  'Do not invent anything and do not answer the original question yourself. Keep it under about a fifth of the transcript\'s length.',
].join(' ');

/** The transcript of the turns to condense, cut to `maxChars` from the front when longer (the latest turns matter most). */
export function renderCompactionTranscript(messages: readonly ChatMessage[], maxChars: number): string {
  const parts = messages.map((message) => {
    const who = message.role === 'assistant' ? 'ANALYST (code and reasoning)' : 'RUNNER (output, errors and notes)';
    return `=== ${who} ===\n${message.content}`;
  });
  const text = parts.join('\n\n');
  if (text.length <= maxChars) return text;
  const cut = text.length - maxChars;
  return `[the oldest ${cut.toLocaleString('en-US')} characters of this transcript were left out]\n${text.slice(cut)}`;
}

/** What replaces the compacted turns: says what happened, that the REPL is intact, then the summary. */
export function renderCompactionNote(messagesCompacted: number, compactions: number, summary: string): string {
  return [
    `[Earlier turns compacted${compactions > 1 ? ` (compaction ${compactions})` : ''}] To stay within the context window, ${messagesCompacted} earlier messages of this session were replaced by the summary below, written from them.`,
    'The REPL was not touched: every variable and function you defined still exists (list them with SHOW_VARS()). Trust the variables over the summary where they differ.',
    '',
    summary.trim(),
  ].join('\n');
}
