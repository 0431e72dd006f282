/**
 * The rule that turns a chat conversation into an RLM request
 * (docs/decisions/2026-11-29-serve-drop-in-message-rule.md):
 *
 * 1. System and developer messages are the caller's INSTRUCTIONS to the root
 *    model (they ride with the request, never become a context document);
 *    one longer than INSTRUCTIONS_MAX_CHARS is a document instead, since no
 *    root prompt can carry it whole.
 * 2. The other messages (user, assistant, tool) give the conversation's texts
 *    in order: each message's text, except that a last user message with
 *    several text parts contributes each part separately. Empty texts are skipped.
 * 3. The last message must have role "user". When its last text is SHORT
 *    (at most QUESTION_MAX_CHARS) and at least one other text precedes it, that
 *    last text is the QUESTION and the earlier texts are the documents.
 * 4. Otherwise (one message holding the document and the question, or a long
 *    last message) there is no separate question: every text is context, and
 *    the request is found inside it (`EMBEDDED_QUERY`; the root model sees the
 *    context's head and tail, never the whole text).
 * 5. One document: the context is that string. Several: an array of strings.
 */
import type { ContextValue } from '@rlm/shared';
import { invalidRequest } from './api-error.ts';

export interface ChatInputMessage {
  readonly role: string;
  /** Text parts in order (a string content is one part). */
  readonly parts: readonly string[];
}

export interface RlmInput {
  readonly context: ContextValue;
  /** The separate question, or undefined when the request is inside the context (a drop-in prompt). */
  readonly query: string | undefined;
  /** The system / developer messages, joined; undefined when there are none. */
  readonly instructions: string | undefined;
}

/** A last user text up to this long, after other texts, is a separate question (about 1,000 tokens). */
export const QUESTION_MAX_CHARS = 4_000;
/** System / developer text up to this long is instructions for the root model (about 4,000 tokens). */
export const INSTRUCTIONS_MAX_CHARS = 16_000;

const INSTRUCTION_ROLES = new Set(['system', 'developer']);

export function conversationToRlmInput(messages: readonly ChatInputMessage[]): RlmInput {
  const last = messages.at(-1);
  if (last === undefined)
    throw invalidRequest('messages must not be empty', 'invalid_request', 'messages');
  if (last.role !== 'user') {
    throw invalidRequest(
      'the last message must have role "user": it holds the question',
      'invalid_request',
      'messages',
    );
  }
  const instructions: string[] = [];
  const texts: string[] = [];
  for (const message of messages.slice(0, -1)) {
    const text = message.parts.join('\n');
    if (text.trim() === '') continue;
    if (INSTRUCTION_ROLES.has(message.role) && text.length <= INSTRUCTIONS_MAX_CHARS)
      instructions.push(text);
    else texts.push(text);
  }
  texts.push(...last.parts.filter((part) => part.trim() !== ''));
  const final = texts.at(-1);
  if (final === undefined || last.parts.every((part) => part.trim() === ''))
    throw invalidRequest('the last user message has no text', 'invalid_request', 'messages');
  const separateQuestion = texts.length > 1 && final.length <= QUESTION_MAX_CHARS;
  const documents = separateQuestion ? texts.slice(0, -1) : texts;
  const context: ContextValue = documents.length === 1 ? (documents[0] ?? '') : documents;
  return {
    context,
    query: separateQuestion ? final : undefined,
    instructions: instructions.length === 0 ? undefined : instructions.join('\n\n'),
  };
}
