/**
 * Submits root requests to a cluster (`--redis`): the context goes to Redis
 * once by content hash, the root session becomes a `session-d0` job, and the
 * result is read back with the request's totals from its Redis ledger.
 */
import {
  BullmqDispatcher,
  CachedBlobStore,
  createRedisClient,
  QueueSet,
  RedisBlobStore,
  RedisCancellationBus,
  RedisEventLog,
  RedisKeys,
  RedisRuntimeFactory,
  storeContextValue,
} from '@rlm/redis';
import { describeContext, RlmError } from '@rlm/shared';
import type {
  ContextValue,
  EngineConfig,
  LedgerTotals,
  RlmEventListener,
  RootScope,
  SessionOutcome,
  SessionSettings,
} from '@rlm/shared';
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
  private readonly events: RedisEventLog;

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
    this.events = new RedisEventLog(this.redis, keys);
  }

  async completion(
    rootId: string,
    config: EngineConfig,
    settings: SessionSettings,
    context: ContextValue,
    query: string,
    signal: AbortSignal | undefined,
    onEvent?: RlmEventListener,
  ): Promise<RlmResult> {
    const scope: RootScope = {
      rootId,
      limits: {
        ...(config.maxTokens === undefined ? {} : { maxTokens: config.maxTokens }),
        ...(config.maxCostUsd === undefined ? {} : { maxCostUsd: config.maxCostUsd }),
      },
      concurrency: config.concurrency,
      ...(config.timeoutSec === undefined ? {} : { deadlineAt: Date.now() + Math.ceil(config.timeoutSec * 1000) }),
      // Workers and orchestrators stream events only for a submitter that listens.
      ...(onEvent === undefined ? {} : { events: true }),
      ...requestPrices(config, settings),
    };
    // Following starts before the root job exists, so the first event is not missed.
    const follower = onEvent === undefined ? undefined : this.events.follow(rootId, onEvent);
    const runtime = this.runtimes.open(scope);
    const onAbort = (): void => runtime.stop('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let outcome: SessionOutcome;
      try {
        // Storing the context is the one Redis call outside the dispatcher's stop handling: bound it by the stop too.
        const stored = await untilStopped(storeContextValue(this.blobs, context), runtime.signal);
        outcome = await this.dispatcher.runSession(
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
      } catch (error) {
        const stopReason = runtime.stopReason();
        if (stopReason === undefined) throw error;
        outcome = { answer: '', stopReason, iterations: 0 };
      }
      // The root id is a UUID: without dashes it has the W3C trace id format (the request span
      // replaces it with the real trace id when tracing is on).
      const totals = await boundedTotals(runtime);
      await follower?.finish();
      return toRlmResult(outcome, totals, { traceId: rootId.replaceAll('-', ''), durationMs: 0 });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      runtime.close();
      // Idempotent after a normal finish; on a failure it stops the reader without draining.
      await follower?.stop();
    }
  }

  async close(): Promise<void> {
    await this.queues.close();
    await this.bus.close();
    this.redis.disconnect();
    this.connection.disconnect();
  }
}

/** Settles with `work`, or rejects as soon as `signal` aborts. */
function untilStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new RlmError('cancelled', 'the request was stopped'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new RlmError('cancelled', `the request was stopped (${String(signal.reason)})`));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const TOTALS_TIMEOUT_MS = 2_000;
const NO_TOTALS: LedgerTotals = {
  usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
  calls: 0,
  subcalls: 0,
  cacheHits: 0,
  costUsd: 0,
};

/** The ledger's totals, or zeros when Redis does not answer in time (the result must not wait on an outage). */
async function boundedTotals(runtime: { readonly ledger: { totals(): Promise<LedgerTotals> } }): Promise<LedgerTotals> {
  const timeout = new Promise<LedgerTotals>((resolve) => setTimeout(() => resolve(NO_TOTALS), TOTALS_TIMEOUT_MS).unref());
  return Promise.race([runtime.ledger.totals().catch(() => NO_TOTALS), timeout]);
}

/** The submitter's prices of the request's root and sub-model, so workers cost calls as the submitter does. */
function requestPrices(config: EngineConfig, settings: SessionSettings): Pick<RootScope, 'prices'> {
  const models = [settings.model, settings.subModel];
  const entries = models.flatMap((model) => {
    const price = config.prices[model];
    return price === undefined ? [] : [[model, price] as const];
  });
  return entries.length === 0 ? {} : { prices: Object.fromEntries(entries) };
}
