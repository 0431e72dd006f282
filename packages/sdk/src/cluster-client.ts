/**
 * Submits root requests to a cluster (`--redis`): the context goes to Redis
 * once by content hash, the root session becomes a `session-d0` job, and the
 * result is read back with the request's totals from its Redis ledger.
 */
import { randomUUID } from 'node:crypto';
import {
  BullmqDispatcher,
  CachedBlobStore,
  createRedisClient,
  QueueSet,
  RedisBlobStore,
  RedisCancellationBus,
  RedisKeys,
  RedisRuntimeFactory,
  storeContextValue,
} from '@rlm/redis';
import { describeContext } from '@rlm/shared';
import type { ContextValue, EngineConfig, RootScope, SessionOutcome, SessionSettings } from '@rlm/shared';
import { toRlmResult } from './rlm-result.ts';
import type { RlmResult } from './rlm-result.ts';

export interface ClusterClientOptions {
  readonly redisUrl: string;
  readonly prefix: string;
}

export class ClusterClient {
  private readonly redis;
  private readonly connection;
  private readonly queues: QueueSet;
  private readonly dispatcher: BullmqDispatcher;
  private readonly bus: RedisCancellationBus;
  private readonly runtimes: RedisRuntimeFactory;
  private readonly blobs: CachedBlobStore;

  constructor(options: ClusterClientOptions) {
    this.redis = createRedisClient(options.redisUrl);
    this.connection = createRedisClient(options.redisUrl, 'bullmq');
    const keys = new RedisKeys(options.prefix);
    // The local cache makes a context submitted by many requests cross the wire once.
    this.blobs = new CachedBlobStore(new RedisBlobStore(this.redis, keys), { maxBytes: 512 * 1024 * 1024 });
    this.queues = new QueueSet({ connection: this.connection, prefix: `{${options.prefix}}` });
    this.dispatcher = new BullmqDispatcher({ queues: this.queues, blobs: this.blobs });
    this.bus = new RedisCancellationBus(this.redis, keys);
    this.runtimes = new RedisRuntimeFactory(this.redis, keys, this.bus);
  }

  async completion(
    config: EngineConfig,
    settings: SessionSettings,
    context: ContextValue,
    query: string,
    signal: AbortSignal | undefined,
  ): Promise<RlmResult> {
    const rootId = randomUUID();
    const scope: RootScope = {
      rootId,
      limits: {
        ...(config.maxTokens === undefined ? {} : { maxTokens: config.maxTokens }),
        ...(config.maxCostUsd === undefined ? {} : { maxCostUsd: config.maxCostUsd }),
      },
      concurrency: config.concurrency,
      ...(config.timeoutSec === undefined ? {} : { deadlineAt: Date.now() + Math.ceil(config.timeoutSec * 1000) }),
    };
    const runtime = this.runtimes.open(scope);
    const onAbort = (): void => runtime.stop('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const stored = await storeContextValue(this.blobs, context);
      const outcome: SessionOutcome = await this.dispatcher.runSession(
        {
          sessionId: rootId,
          depth: 0,
          context: { kind: 'blob', hash: stored.hash, format: stored.format },
          contextMetadata: describeContext(context),
          query,
          settings,
        },
        runtime,
      );
      const totals = await runtime.ledger.totals();
      // The root id is a UUID: without dashes it has the W3C trace id format.
      return toRlmResult(outcome, totals, { traceId: rootId.replaceAll('-', ''), durationMs: 0 });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      runtime.close();
    }
  }

  async close(): Promise<void> {
    await this.queues.close();
    await this.bus.close();
    this.redis.disconnect();
    this.connection.disconnect();
  }
}
