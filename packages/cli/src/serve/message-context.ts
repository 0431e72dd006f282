/**
 * The rule that turns a chat conversation into an RLM request
 * (docs/decisions/2026-11-24-serve-message-to-context-rule.md):
 *
 * 1. The last message must have role "user"; its text is the root QUERY.
 *    When its content is an array of several text parts, the LAST part is the
 *    query and the earlier parts join the context, as if sent as messages before it.
 * 2. Every earlier message (any role: system, developer, user, assistant, tool),
 *    in order, is a context DOCUMENT: its text verbatim, the role dropped.
 *    Messages with empty text are skipped.
 * 3. No documents: the context is "". One document: the context is that string.
 *    Several: the context is an array of strings (the REPL's `context[i]`).
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
  readonly query: string;
}

export function conversationToRlmInput(messages: readonly ChatInputMessage[]): RlmInput {
  const last = messages.at(-1);
  if (last === undefined)
    throw invalidRequest('messages must not be empty', 'invalid_request', 'messages');
  if (last.role !== 'user') {
    throw invalidRequest(
      'the last message must have role "user": its text is the question',
      'invalid_request',
      'messages',
    );
  }
  const query = last.parts.at(-1) ?? '';
  if (query.trim() === '')
    throw invalidRequest('the last user message has no text', 'invalid_request', 'messages');
  const documents = [
    ...messages.slice(0, -1).map((message) => message.parts.join('\n')),
    ...last.parts.slice(0, -1),
  ].filter((text) => text !== '');
  const context: ContextValue =
    documents.length === 0 ? '' : documents.length === 1 ? (documents[0] ?? '') : documents;
  return { context, query };
}
