/** Finished REPL steps (result + snapshot hash) in Redis, written before the step's job is acknowledged. */
import type { StepRecord, StepRecordStore } from '@rlm/shared';
import type { RedisClient } from '../redis-client.ts';
import type { RedisKeys } from '../redis-keys.ts';
import { readJson, writeJson } from './json-values.ts';

const DEFAULT_TTL_SECONDS = 24 * 60 * 60;

export class RedisStepRecordStore implements StepRecordStore {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;
  private readonly ttlSeconds: number;

  constructor(redis: RedisClient, keys: RedisKeys, ttlSeconds = DEFAULT_TTL_SECONDS) {
    this.redis = redis;
    this.keys = keys;
    this.ttlSeconds = ttlSeconds;
  }

  load(sessionId: string, step: number): Promise<StepRecord | undefined> {
    return readJson<StepRecord>(this.redis, this.keys.snapshot(sessionId, step));
  }

  save(sessionId: string, step: number, record: StepRecord): Promise<void> {
    return writeJson(this.redis, this.keys.snapshot(sessionId, step), record, this.ttlSeconds);
  }
}
