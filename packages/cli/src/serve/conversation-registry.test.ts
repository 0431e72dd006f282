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
    const registry = new ConversationRegistry({ idleMs: 1_000, maxLive: 10 });
    const alice = registry.lease('alice', 'chat', fakeConversation);
    const again = registry.lease('alice', 'chat', fakeConversation);
    const bob = registry.lease('bob', 'chat', fakeConversation);
    const anonymous = registry.lease(undefined, 'chat', fakeConversation);
    expect(alice.created).toBe(true);
    expect(again).toMatchObject({ created: false, conversation: alice.conversation });
    expect(bob.created).toBe(true);
    expect(bob.conversation).not.toBe(alice.conversation);
    expect(anonymous.conversation).not.toBe(alice.conversation);
    expect(registry.size).toBe(3);
  });

  it('closes a conversation idle for idleMs after its last request, never while one runs', async () => {
    vi.useFakeTimers();
    const registry = new ConversationRegistry({ idleMs: 1_000, maxLive: 10 });
    const first = registry.lease('t', 'c', fakeConversation);
    const second = registry.lease('t', 'c', fakeConversation);
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
    expect(registry.lease('t', 'c', fakeConversation).created).toBe(true);
  });

  it('refuses a new conversation past maxLive with a 429, while known ones go on', async () => {
    const registry = new ConversationRegistry({ idleMs: 60_000, maxLive: 1 });
    registry.lease('t', 'a', fakeConversation).release();
    expect(() => registry.lease('t', 'b', fakeConversation)).toThrow(expect.objectContaining({ status: 429, code: 'too_many_conversations' }));
    expect(registry.lease('t', 'a', fakeConversation).created).toBe(false);
    await registry.close();
    expect(registry.size).toBe(0);
  });

  it('accepts bounded printable ids only', () => {
    expect(parseConversationId('chat-1.a:b_c')).toBe('chat-1.a:b_c');
    for (const bad of ['', 'a b', 'x'.repeat(129), 7, null, '{tag}'])
      expect(() => parseConversationId(bad)).toThrow(/rlm.conversation must be/);
  });
});
