/**
 * Composition root of a cluster process. A `worker` consumes the `llm` queue
 * and the per-depth `step` queues; an `orchestrator` consumes the per-depth
 * `session` queues. Both share the Redis drivers built here.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Worker } from 'bullmq';
import type { ConnectionOptions, Job } from 'bullmq';
import { runSession } from '@rlm/orchestrator';
import {
  BullmqDispatcher,
  CachedBlobStore,
  createRedisClient,
  QueueSet,
  RedisBlobStore,
  RedisCallCoalescer,
  RedisCancellationBus,
  RedisKeys,
  RedisRateGate,
  RedisResultCache,
  RedisRuntimeFactory,
  RedisSessionStore,
  RedisStepRecordStore,
  RedisConversationStore,
  readBacklog,
} from '@rlm/redis';
import type { Backlog, RedisTarget } from '@rlm/redis';
import { createJobProcessor, JOB_CATALOG, MAX_QUEUE_DEPTH } from '@rlm/shared';
import type { EngineConfig, JobKind, LlmProvider } from '@rlm/shared';
import { createLogger } from '@rlm/telemetry';
import type { Logger } from '@rlm/telemetry';
import {
  LlmGateway,
  OpenAIProvider,
  SnapshotStepExecutor,
  stepAwareCompletion,
} from '@rlm/worker';
import { MetricsRegistry } from './metrics-registry.ts';
import { createNodeMetrics } from './node-metrics.ts';

export type ClusterRole = 'worker' | 'orchestrator';

const READY_PING_TIMEOUT_MS = 1_000;
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

export interface ClusterNodeOptions {
  readonly role: ClusterRole;
  readonly redis: RedisTarget;
  /** Key prefix of everything this cluster stores; BullMQ keys use it hash-tagged. */
  readonly prefix: string;
  readonly config: EngineConfig;
  /** Concurrent jobs per queue: llm completions / REPL steps per depth / sessions per depth. */
  readonly concurrency: { readonly llm: number; readonly step: number; readonly session: number };
  /** How long a job's lock lasts without renewal; a killed process's jobs are re-run after it. */
  readonly lockDurationMs: number;
  /** Replaces the OpenAI-compatible provider (tests). */
  readonly provider?: LlmProvider;
  /** Sub-call result cache namespace and TTL. */
  readonly cache: { readonly namespace: string; readonly ttlSeconds: number };
  /** Operational logs; a logger at the configured level on stderr when absent. */
  readonly logger?: Logger;
}

export interface ClusterNode {
  readonly metrics: MetricsRegistry;
  ready(): Promise<boolean>;
  renderMetrics(): Promise<string>;
  /** Jobs not started yet, per queue (GET /backlog). */
  backlog(): Promise<Backlog>;
  /** Stops taking jobs and waits up to `graceMs` for running ones; past it, running jobs are handed back. */
  close(graceMs: number): Promise<void>;
}

export function bullmqConnection(target: RedisTarget): ConnectionOptions {
  return createRedisClient(target, 'bullmq');
}

export async function startClusterNode(options: ClusterNodeOptions): Promise<ClusterNode> {
  const redis = createRedisClient(options.redis);
  const connection = bullmqConnection(options.redis);
  const keys = new RedisKeys(options.prefix);
  const bullPrefix = `{${options.prefix}}`;
  // Contexts and REPL snapshots expire `redisKeyTtlSec` after their last write; a put renews it.
  const ttlSeconds = options.config.redisKeyTtlSec;
  const blobs = new CachedBlobStore(new RedisBlobStore(redis, keys, { ttlSeconds }), {
    restoreAfterMs: (ttlSeconds * 1000) / 2,
  });
  const queues = new QueueSet({ connection, prefix: bullPrefix });
  const dispatcher = new BullmqDispatcher({ queues, blobs });
  const bus = new RedisCancellationBus(redis, keys);
  const runtimes = new RedisRuntimeFactory(redis, keys, bus);
  const metrics = new MetricsRegistry();
  const observe = createNodeMetrics(metrics);
  const logger = options.logger ?? createLogger({ serviceName: `rlm-${options.role}`, level: options.config.logLevel });
  const workers: Worker[] = [];
  let draining = false;
  let executor: SnapshotStepExecutor | undefined;

  const consume = (
    kind: JobKind,
    depth: number,
    concurrency: number,
    processor: (job: Job) => Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>,
  ): void => {
    const queue = JOB_CATALOG[kind].queueName(depth);
    const worker = new Worker(
      queue,
      async (job: Job) => {
        const started = performance.now();
        const outcome = await processor(job);
        observe.jobDone(queue, outcome.ok, (performance.now() - started) / 1000, outcome.value);
        // The code only: error messages of provider calls can echo request content. Stops (a budget,
        // a cancel) end many jobs at once by design: those are debug lines, not warnings.
        if (!outcome.ok) {
          const code = outcome.error?.code;
          const level = code === 'cancelled' || code === 'budget_exhausted' ? 'debug' : 'warn';
          logger[level]({ queue, jobId: job.id, code }, 'job completed with an error');
        }
        return outcome;
      },
      {
        connection,
        prefix: bullPrefix,
        concurrency,
        lockDuration: options.lockDurationMs,
        stalledInterval: Math.max(1000, Math.floor(options.lockDurationMs / 2)),
        // A job whose process died is re-run a few times, then failed (its parent sees the failure).
        maxStalledCount: JOB_CATALOG[kind].maxStalledCount,
      },
    );
    // Connection errors: ioredis reconnects with backoff; logged at debug so an outage is not a flood.
    worker.on('error', (error) => logger.debug({ queue, err: error.message }, 'queue worker error'));
    workers.push(worker);
  };

  if (options.role === 'worker') {
    const gateway = new LlmGateway({
      provider:
        options.provider ??
        new OpenAIProvider({
          maxRetries: options.config.maxRetries,
          timeoutMs: options.config.requestTimeoutSec * 1000,
          ...(options.config.baseUrl === undefined ? {} : { baseUrl: options.config.baseUrl }),
          ...(options.config.apiKey === undefined ? {} : { apiKey: options.config.apiKey }),
        }),
      cache: new RedisResultCache(redis, keys, options.cache),
      // The lock is renewed while its owner computes, so a short lease only matters when the owner
      // died: then waiters take over after 5 s instead of the driver's default 30 s.
      coalescer: new RedisCallCoalescer(redis, keys, { ...options.cache, leaseMs: 5_000 }),
      prices: options.config.prices,
      defaultMaxOutputTokens: options.config.maxOutputTokens,
      recordContent: options.config.recordContent,
      onProviderCall: (observation) => observe.providerCall(observation),
      ...(Object.keys(options.config.rateLimits).length === 0
        ? {}
        : { rateGate: new RedisRateGate(redis, keys, { limits: options.config.rateLimits }) }),
    });
    executor = new SnapshotStepExecutor({
      blobs,
      records: new RedisStepRecordStore(redis, keys, ttlSeconds),
      conversations: new RedisConversationStore(redis, keys, ttlSeconds),
      bus,
      pythonSpares: options.config.pythonSpares,
      prewarmPython: options.config.repl === 'python',
    });
    const stepExecutor = executor;
    // Sub-calls also stop when their step is killed on another worker (step-stop.ts).
    consume('llm', 0, options.concurrency.llm, createJobProcessor('llm', { runtimes, blobs }, stepAwareCompletion(gateway, bus)));
    const steps = createJobProcessor('step', { runtimes, blobs }, (task, runtime) => stepExecutor.executeStep(task, runtime, dispatcher));
    for (let depth = 0; depth < MAX_QUEUE_DEPTH; depth += 1) consume('step', depth, options.concurrency.step, steps);
  } else {
    const store = new RedisSessionStore(redis, keys, ttlSeconds);
    const sessions = createJobProcessor('session', { runtimes, blobs }, (task, runtime) => runSession(task, runtime, dispatcher, store));
    for (let depth = 0; depth < MAX_QUEUE_DEPTH; depth += 1) consume('session', depth, options.concurrency.session, sessions);
  }
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));

  return {
    metrics,
    // Redis must answer within a second: a reconnecting client queues commands, which would hang the probe.
    ready: async () => !draining && (await Promise.race([redis.ping(), delay(READY_PING_TIMEOUT_MS, 'timeout')])) === 'PONG',
    renderMetrics: async () => {
      const counts = new Map<string, Record<string, number>>();
      for (const queue of queues.all()) {
        counts.set(queue.name, await queue.getJobCounts(...QUEUE_STATES));
      }
      observe.queues(counts, await readBacklog(queues.all()));
      return metrics.render();
    },
    backlog: () => readBacklog(queues.all()),
    close: async (graceMs) => {
      draining = true;
      const graceful = Promise.all(workers.map((worker) => worker.close()));
      const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
      if ((await Promise.race([graceful.then(() => 'done' as const), timer])) === 'late') {
        // Past the grace period: stop now; unfinished jobs become stalled and run elsewhere.
        await Promise.all(workers.map((worker) => worker.close(true)));
      }
      executor?.close();
      await queues.close();
      await bus.close();
      redis.disconnect();
      (connection as { disconnect(): void }).disconnect();
    },
  };
}
