import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';
import { conversationToRlmInput } from './message-context.ts';

const user = (...parts: string[]) => ({ role: 'user', parts });

describe('conversationToRlmInput', () => {
  it('a document then a question: the document is the context string', () => {
    expect(conversationToRlmInput([user('the document'), user('the question?')])).toEqual({
      context: 'the document',
      query: 'the question?',
    });
  });

  it('a system message is a document like any other', () => {
    expect(conversationToRlmInput([{ role: 'system', parts: ['doc'] }, user('q')])).toEqual({
      context: 'doc',
      query: 'q',
    });
  });

  it('several earlier messages become an array of documents in order, empty ones skipped', () => {
    const messages = [
      { role: 'system', parts: ['a'] },
      { role: 'assistant', parts: [] },
      user('b1', 'b2'),
      user('q'),
    ];
    expect(conversationToRlmInput(messages)).toEqual({ context: ['a', 'b1\nb2'], query: 'q' });
  });

  it('the last part of a multi-part last message is the question, earlier parts are documents', () => {
    expect(conversationToRlmInput([user('doc 1', 'doc 2', 'q')])).toEqual({
      context: ['doc 1', 'doc 2'],
      query: 'q',
    });
  });

  it('a lone question has an empty context', () => {
    expect(conversationToRlmInput([user('q')])).toEqual({ context: '', query: 'q' });
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
