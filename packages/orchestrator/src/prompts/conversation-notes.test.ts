import { describe, expect, it } from 'vitest';
import { describeContext } from '@rlm/shared';
import { renderConversationNotes } from './conversation-notes.ts';
import { renderRootUserMessage } from './root-message.ts';

describe('renderConversationNotes', () => {
  it('is nothing outside a conversation and for a first question without added contexts', () => {
    expect(renderConversationNotes(undefined)).toBeUndefined();
    expect(renderConversationNotes({ conversationId: 'c', contexts: [], contextMetadata: [], history: [] })).toBeUndefined();
  });

  it('summarises earlier exchanges (clipped, newest last) and names added contexts, ahead of the question', () => {
    const history = Array.from({ length: 12 }, (_, index) => ({ question: `question ${index + 1}`, answer: `answer ${index + 1}` }));
    history.push({ question: 'long one', answer: 'x'.repeat(1_000) });
    const notes = renderConversationNotes({
      conversationId: 'c',
      contexts: [{ kind: 'inline', value: 'added' }],
      contextMetadata: [describeContext('added')],
      history,
    });
    expect(notes).toContain('`context_1` holds another context: string, 5 characters');
    expect(notes).toContain('13 earlier question(s)');
    expect(notes).toContain('`history`');
    expect(notes).not.toContain('Q: question 3\n');
    expect(notes).toContain('4. Q: question 4');
    expect(notes).toContain('(1,000 characters)');
    const message = renderRootUserMessage(describeContext('first'), 'the question', notes);
    expect(message.endsWith('QUESTION:\nthe question')).toBe(true);
    expect(message.indexOf('13 earlier')).toBeLessThan(message.indexOf('QUESTION:'));
  });
});
