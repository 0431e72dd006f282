/** Session checkpoints in Redis (one JSON value per session, with a TTL), so any orchestrator can resume a session. */
import type { SessionCheckpoint, SessionStore } from '@rlm/shared';
import type { RedisClient } from '../redis-client.ts';
import type { RedisKeys } from '../redis-keys.ts';
import { readJson, writeJson } from './json-values.ts';

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

  load(sessionId: string): Promise<SessionCheckpoint | undefined> {
    return readJson<SessionCheckpoint>(this.redis, this.keys.session(sessionId));
  }

  save(sessionId: string, checkpoint: SessionCheckpoint): Promise<void> {
    return writeJson(this.redis, this.keys.session(sessionId), checkpoint, this.ttlSeconds);
  }
}
