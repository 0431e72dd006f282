import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';
import { conversationToRlmInput, INSTRUCTIONS_MAX_CHARS, QUESTION_MAX_CHARS } from './message-context.ts';

const user = (...parts: string[]) => ({ role: 'user', parts });
const system = (text: string) => ({ role: 'system', parts: [text] });

describe('conversationToRlmInput', () => {
  it('one user message holding document and question: the whole text is the context, no separate question', () => {
    expect(conversationToRlmInput([user('the document ... and the question?')])).toEqual({
      context: 'the document ... and the question?',
      query: undefined,
      instructions: undefined,
    });
  });

  it('a system message is instructions, never a document', () => {
    expect(conversationToRlmInput([system('You are a helpful assistant.'), user('doc and question')])).toEqual({
      context: 'doc and question',
      query: undefined,
      instructions: 'You are a helpful assistant.',
    });
  });

  it('a document then a short question keeps the question separate', () => {
    expect(conversationToRlmInput([user('the document'), user('the question?')])).toEqual({
      context: 'the document',
      query: 'the question?',
      instructions: undefined,
    });
  });

  it('a long last message after a document is context too (no short question anywhere)', () => {
    const long = 'x'.repeat(QUESTION_MAX_CHARS + 1);
    expect(conversationToRlmInput([user('doc'), user(long)])).toEqual({
      context: ['doc', long],
      query: undefined,
      instructions: undefined,
    });
  });

  it('several earlier messages become documents in order; system and developer ones are instructions', () => {
    const messages = [
      system('be brief'),
      { role: 'developer', parts: ['answer in French'] },
      { role: 'assistant', parts: [] },
      user('b1', 'b2'),
      user('c'),
      user('q'),
    ];
    expect(conversationToRlmInput(messages)).toEqual({
      context: ['b1\nb2', 'c'],
      query: 'q',
      instructions: 'be brief\n\nanswer in French',
    });
  });

  it('a system message too long to be instructions is a document', () => {
    const document = 'd'.repeat(INSTRUCTIONS_MAX_CHARS + 1);
    expect(conversationToRlmInput([system(document), user('q')])).toEqual({
      context: document,
      query: 'q',
      instructions: undefined,
    });
  });

  it('the last part of a multi-part last message is the question, earlier parts are documents', () => {
    expect(conversationToRlmInput([user('doc 1', 'doc 2', 'q')])).toEqual({
      context: ['doc 1', 'doc 2'],
      query: 'q',
      instructions: undefined,
    });
  });

  it.each([
    ['no messages', []],
    ['a last message from the assistant', [user('doc'), { role: 'assistant', parts: ['hi'] }]],
    ['an empty question', [user('doc'), user('  ')]],
  ])('rejects %s with a 400', (_name, messages) => {
    expect(() => conversationToRlmInput(messages)).toThrow(ApiError);
    try {
      conversationToRlmInput(messages);
    } catch (error) {
      expect((error as ApiError).status).toBe(400);
    }
  });
});
