/**
 * Submits root requests to a cluster (`--redis`): the context goes to Redis
 * once by content hash, the root session becomes a `session-d0` job, and the
 * result is read back with the request's totals from its Redis ledger.
 */
import {
  BullmqDispatcher,
  CachedBlobStore,
  createRedisClient,
  describeRedisTarget,
  QueueSet,
  RedisBlobStore,
  RedisCancellationBus,
  RedisConversationStore,
  RedisEventLog,
  RedisKeys,
  RedisRuntimeFactory,
  RedisToolServer,
} from '@rlm/redis';
import { setTimeout as delay } from 'node:timers/promises';
import { describeContext, isRlmError, RlmError, storeContextValue } from '@rlm/shared';
import type { RedisTarget } from '@rlm/redis';
import type {
  ContextValue,
  ConversationScope,
  EngineConfig,
  LedgerTotals,
  RlmEventListener,
  RootScope,
  SessionOutcome,
  SessionSettings,
  ToolCaller,
} from '@rlm/shared';
import { withinDeadline } from './deadline-backstop.ts';
import { toRlmResult } from './rlm-result.ts';
import type { RlmResult } from './rlm-result.ts';

export interface ClusterClientOptions {
  readonly target: RedisTarget;
  readonly prefix: string;
  /** How long request data stays in Redis after its last write (contexts are re-stored past half of it). */
  readonly keyTtlSeconds: number;
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
  private readonly target: RedisTarget;
  private readonly keys: RedisKeys;
  private readonly conversations: RedisConversationStore;

  constructor(options: ClusterClientOptions) {
    this.target = options.target;
    this.redis = createRedisClient(options.target);
    this.connection = createRedisClient(options.target, 'bullmq');
    const keys = new RedisKeys(options.prefix);
    this.keys = keys;
    // The local cache makes a context submitted by many requests cross the wire once (and again
    // when half its Redis lifetime has passed, which renews its expiry).
    this.blobs = new CachedBlobStore(new RedisBlobStore(this.redis, keys, { ttlSeconds: options.keyTtlSeconds }), {
      maxBytes: 512 * 1024 * 1024,
      restoreAfterMs: (options.keyTtlSeconds * 1000) / 2,
    });
    this.queues = new QueueSet({ connection: this.connection, prefix: `{${options.prefix}}` });
    this.dispatcher = new BullmqDispatcher({ queues: this.queues, blobs: this.blobs });
    this.bus = new RedisCancellationBus(this.redis, keys);
    this.runtimes = new RedisRuntimeFactory(this.redis, keys, this.bus);
    this.events = new RedisEventLog(this.redis, keys);
    this.conversations = new RedisConversationStore(this.redis, keys, options.keyTtlSeconds);
  }

  /** Forgets a conversation's REPL state in Redis (its snapshot blobs expire with the blob TTL). */
  async endConversation(conversationId: string): Promise<void> {
    await this.conversations.delete(conversationId);
  }

  async completion(
    rootId: string,
    config: EngineConfig,
    settings: SessionSettings,
    context: ContextValue,
    query: string,
    signal: AbortSignal | undefined,
    onEvent?: RlmEventListener,
    tools?: ToolCaller,
    conversation?: ConversationScope,
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
      // Workers send tool calls back here: the handlers are this process's functions.
      ...(tools === undefined ? {} : { tools: true }),
    };
    // Following starts before the root job exists, so the first event is not missed.
    const follower = onEvent === undefined ? undefined : this.events.follow(rootId, onEvent);
    const runtime = this.runtimes.open(scope);
    const toolServer = tools === undefined ? undefined : new RedisToolServer(this.redis, this.keys, rootId, tools, runtime.signal);
    // The caller's cancel (an interrupted `rlm run`, a closed HTTP response) ends the wait at once;
    // the tree stops through the runtime, and partial answers are only waited for after budget stops.
    const callerStop = new AbortController();
    const onAbort = (): void => {
      runtime.stop('cancelled');
      callerStop.abort();
    };
    if (signal?.aborted === true) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let outcome: SessionOutcome;
      try {
        await this.assertReachable(config, runtime.signal);
        // Storing the context is the one Redis call outside the dispatcher's stop handling: bound it by the stop too.
        const stored = await untilStopped(storeContextValue(this.blobs, context), runtime.signal);
        outcome = await withinDeadline(
          untilStopped(
            this.dispatcher.runSession(
              {
                sessionId: rootId,
                depth: 0,
                context: stored,
                contextMetadata: describeContext(context),
                query,
                settings,
                ...(conversation === undefined ? {} : { conversation }),
              },
              runtime,
            ),
            callerStop.signal,
          ),
          scope.deadlineAt,
        );
      } catch (error) {
        const stopReason = runtime.stopReason();
        // An unreachable Redis is the answer even when the deadline fired while we waited for it.
        if (stopReason === undefined || (isRlmError(error) && error.code === 'redis_unavailable')) throw error;
        outcome = { answer: '', stopReason, iterations: 0 };
      }
      // The root id is a UUID: without dashes it has the W3C trace id format (the request span
      // replaces it with the real trace id when tracing is on).
      // A caller who cancelled is not kept waiting for totals from a Redis that may be away, nor for late events.
      const cancelledByCaller = callerStop.signal.aborted;
      const totals = await boundedTotals(runtime, cancelledByCaller ? CANCELLED_TOTALS_TIMEOUT_MS : TOTALS_TIMEOUT_MS);
      if (cancelledByCaller) await follower?.stop();
      else await follower?.finish();
      return toRlmResult(outcome, totals, { traceId: rootId.replaceAll('-', ''), durationMs: 0 });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await toolServer?.stop();
      runtime.close();
      // Idempotent after a normal finish; on a failure it stops the reader without draining.
      await follower?.stop();
    }
  }

  /**
   * Closes the connections. Bounded: with Redis away, BullMQ's close would wait for a reconnect
   * that may never come, and an open socket retrying forever keeps the process alive.
   */
  async close(): Promise<void> {
    if (this.redis.status === 'ready') {
      const closing = Promise.all([this.queues.close(), this.bus.close()]).catch(() => undefined);
      await Promise.race([closing, delay(CLOSE_TIMEOUT_MS, undefined, { ref: false })]);
    } else await this.bus.close();
    this.redis.disconnect();
    this.connection.disconnect();
  }

  /**
   * Fails in one line when Redis does not answer within the connect deadline (or the request's
   * own timeout, when shorter), instead of queueing commands behind reconnect attempts forever.
   * Free while connected: only a client that is (re)connecting sends a PING.
   */
  private async assertReachable(config: EngineConfig, stop: AbortSignal): Promise<void> {
    if (this.redis.status === 'ready') return;
    const seconds = Math.min(config.redisConnectTimeoutSec, config.timeoutSec ?? Number.POSITIVE_INFINITY);
    const answered = await untilStopped(
      Promise.race([
        this.redis.ping().then(
          () => true,
          () => false,
        ),
        // Unref'd: a pending deadline must not keep a finished process alive.
        delay(seconds * 1000, false, { ref: false }),
      ]),
      stop,
    ).catch((error: unknown) => {
      // A deadline that fires first is still an unreachable Redis; a caller's cancel is a cancel.
      if (stop.reason === 'timeout') return false;
      throw error;
    });
    if (!answered) {
      throw new RlmError(
        'redis_unavailable',
        `cannot reach Redis (${describeRedisTarget(this.target)}) within ${seconds} s`,
      );
    }
  }
}

const CLOSE_TIMEOUT_MS = 1_000;

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
const CANCELLED_TOTALS_TIMEOUT_MS = 300;
const NO_TOTALS: LedgerTotals = {
  usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
  calls: 0,
  subcalls: 0,
  cacheHits: 0,
  costUsd: 0,
};

/** The ledger's final totals (calls of dead processes included), or zeros when Redis does not answer in time (the result must not wait on an outage). */
async function boundedTotals(
  runtime: { readonly ledger: { finalTotals(): Promise<LedgerTotals> } },
  timeoutMs: number,
): Promise<LedgerTotals> {
  const timeout = new Promise<LedgerTotals>((resolve) => setTimeout(() => resolve(NO_TOTALS), timeoutMs).unref());
  return Promise.race([runtime.ledger.finalTotals().catch(() => NO_TOTALS), timeout]);
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
