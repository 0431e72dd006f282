import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Conversation } from '@rlm/sdk';
import { ConversationRegistry, parseConversationId } from './conversation-registry.ts';

/** Stands in for an SDK conversation: the registry only starts and closes them. */
function fakeConversation(): Conversation & { closed: boolean } {
  const fake = {
    closed: false,
    close: () => {
      fake.closed = true;
      return Promise.resolve();
    },
  };
  return fake as unknown as Conversation & { closed: boolean };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ConversationRegistry', () => {
  it('scopes ids by token: the same id under another token is another conversation', () => {
    const registry = new ConversationRegistry({ idleMs: 1_000, maxLive: 10, maxContextChars: 1_000_000 });
    const alice = registry.lease('alice', 'chat', 'ctx', fakeConversation);
    const again = registry.lease('alice', 'chat', 'ctx', fakeConversation);
    const bob = registry.lease('bob', 'chat', 'ctx', fakeConversation);
    const anonymous = registry.lease(undefined, 'chat', 'ctx', fakeConversation);
    expect(alice.created).toBe(true);
    expect(again).toMatchObject({ created: false, conversation: alice.conversation });
    expect(bob.created).toBe(true);
    expect(bob.conversation).not.toBe(alice.conversation);
    expect(anonymous.conversation).not.toBe(alice.conversation);
    expect(registry.size).toBe(3);
  });

  it('closes a conversation idle for idleMs after its last request, never while one runs', async () => {
    vi.useFakeTimers();
    const registry = new ConversationRegistry({ idleMs: 1_000, maxLive: 10, maxContextChars: 1_000_000 });
    const first = registry.lease('t', 'c', 'ctx', fakeConversation);
    const second = registry.lease('t', 'c', 'ctx', fakeConversation);
    first.release();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(registry.size).toBe(1); // the second request still runs
    second.release();
    second.release(); // idempotent
    await vi.advanceTimersByTimeAsync(999);
    expect(registry.size).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(registry.size).toBe(0);
    expect((first.conversation as unknown as { closed: boolean }).closed).toBe(true);
    expect(registry.lease('t', 'c', 'ctx', fakeConversation).created).toBe(true);
  });

  it('refuses a new conversation past maxLive with a 429, while known ones go on', async () => {
    const registry = new ConversationRegistry({ idleMs: 60_000, maxLive: 1, maxContextChars: 1_000_000 });
    registry.lease('t', 'a', 'ctx', fakeConversation).release();
    expect(() => registry.lease('t', 'b', 'ctx', fakeConversation)).toThrow(expect.objectContaining({ status: 429, code: 'too_many_conversations' }));
    expect(registry.lease('t', 'a', 'ctx', fakeConversation).created).toBe(false);
    await registry.close();
    expect(registry.size).toBe(0);
  });

  it('refuses a new conversation whose context would pass maxContextChars across live ones, and frees it on expiry', async () => {
    vi.useFakeTimers();
    const registry = new ConversationRegistry({ idleMs: 1_000, maxLive: 10, maxContextChars: 100 });
    const started: Array<ReturnType<typeof fakeConversation>> = [];
    const start = (): Conversation => {
      const conversation = fakeConversation();
      started.push(conversation);
      return conversation;
    };
    registry.lease('t', 'a', 'x'.repeat(60), start).release();
    // Lists and records count by their JSON: 40 characters here, 100 in all.
    registry.lease('t', 'b', ['y'.repeat(18), 'z'.repeat(15)], start).release();
    expect(registry.contextChars).toBe(100);
    expect(() => registry.lease('t', 'c', 'w', start)).toThrow(
      expect.objectContaining({ status: 429, code: 'too_many_conversations', message: expect.stringContaining('--max-conversation-chars') }),
    );
    expect(started).toHaveLength(2); // the refused one never started a REPL
    await vi.advanceTimersByTimeAsync(1_000);
    expect(registry.contextChars).toBe(0);
    expect(registry.lease('t', 'c', 'w', start).created).toBe(true);
    await registry.close();
  });

  it('accepts bounded printable ids only', () => {
    expect(parseConversationId('chat-1.a:b_c')).toBe('chat-1.a:b_c');
    for (const bad of ['', 'a b', 'x'.repeat(129), 7, null, '{tag}'])
      expect(() => parseConversationId(bad)).toThrow(/rlm.conversation must be/);
  });
});
