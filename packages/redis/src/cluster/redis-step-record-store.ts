/** Finished REPL steps (result + snapshot hash) in Redis, written before the step's job is acknowledged. */
import type { StepRecord, StepRecordStore } from '@rlm/shared';
import type { RedisClient } from '../redis-client.ts';
import type { RedisKeys } from '../redis-keys.ts';

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

  async load(sessionId: string, step: number): Promise<StepRecord | undefined> {
    const text = await this.redis.get(this.keys.snapshot(sessionId, step));
    return text === null ? undefined : (JSON.parse(text) as StepRecord);
  }

  async save(sessionId: string, step: number, record: StepRecord): Promise<void> {
    await this.redis.set(
      this.keys.snapshot(sessionId, step),
      JSON.stringify(record),
      'EX',
      this.ttlSeconds,
    );
  }
}
