/** Session checkpoints in Redis (one JSON value per session, with a TTL), so any orchestrator can resume a session. */
import type { SessionCheckpoint, SessionStore } from '@rlm/shared';
import type { RedisClient } from '../redis-client.ts';
import type { RedisKeys } from '../redis-keys.ts';

const DEFAULT_TTL_SECONDS = 24 * 60 * 60;

export class RedisSessionStore implements SessionStore {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;
  private readonly ttlSeconds: number;

  constructor(redis: RedisClient, keys: RedisKeys, ttlSeconds = DEFAULT_TTL_SECONDS) {
    this.redis = redis;
    this.keys = keys;
    this.ttlSeconds = ttlSeconds;
  }

  async load(sessionId: string): Promise<SessionCheckpoint | undefined> {
    const text = await this.redis.get(this.keys.session(sessionId));
    return text === null ? undefined : (JSON.parse(text) as SessionCheckpoint);
  }

  async save(sessionId: string, checkpoint: SessionCheckpoint): Promise<void> {
    await this.redis.set(
      this.keys.session(sessionId),
      JSON.stringify(checkpoint),
      'EX',
      this.ttlSeconds,
    );
  }
}
