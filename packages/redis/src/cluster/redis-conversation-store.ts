/**
 * A conversation's REPL state between questions (issue 16): one string key holding the hash of
 * the snapshot blob after the conversation's latest step. Each save renews the expiry, so an idle
 * conversation's state disappears `ttlSeconds` after its last step (the snapshot blob itself
 * expires with the blob TTL, renewed by every put).
 */
import type { ConversationStateStore } from '@rlm/shared';
import type { RedisClient } from '../redis-client.ts';
import type { RedisKeys } from '../redis-keys.ts';

export class RedisConversationStore implements ConversationStateStore {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;
  private readonly ttlSeconds: number;

  constructor(redis: RedisClient, keys: RedisKeys, ttlSeconds: number) {
    this.redis = redis;
    this.keys = keys;
    this.ttlSeconds = ttlSeconds;
  }

  async load(conversationId: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.conversation(conversationId))) ?? undefined;
  }

  async save(conversationId: string, snapshotHash: string): Promise<void> {
    await this.redis.set(this.keys.conversation(conversationId), snapshotHash, 'EX', this.ttlSeconds);
  }

  async delete(conversationId: string): Promise<void> {
    await this.redis.del(this.keys.conversation(conversationId));
  }
}
