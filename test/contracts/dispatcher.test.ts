/** The Dispatcher contract, run against the embedded driver and the BullMQ driver. */
import { randomUUID } from 'node:crypto';
import { EmbeddedDispatcher } from '@rlm/orchestrator';
import {
  BullmqDispatcher,
  createRedisClient,
  QueueSet,
  RedisBlobStore,
  RedisCancellationBus,
  RedisKeys,
  RedisRuntimeFactory,
} from '@rlm/redis';
import { DEFAULT_PRICES, loadConfig, LocalLedger, LocalLimiter, LocalRequestRuntime } from '@rlm/shared';
import { startSimServer } from '@rlm/sim';
import { LiveStepExecutor, LlmGateway, LocalCallCoalescer, MemoryResultCache, OpenAIProvider } from '@rlm/worker';
import { startClusterNode } from '../../packages/cli/src/cluster/cluster-node.ts';
import { startRedisServer } from '../support/redis-server.ts';
import { contractModel, describeDispatcherContract } from './dispatcher-contract.ts';

describeDispatcherContract('EmbeddedDispatcher', async () => {
  const sim = await startSimServer({ policy: { type: 'scripted', replies: contractModel } });
  const gateway = new LlmGateway({
    provider: new OpenAIProvider({ baseUrl: sim.baseUrl, maxRetries: 0, timeoutMs: 30_000 }),
    cache: new MemoryResultCache(),
    coalescer: new LocalCallCoalescer(),
    prices: DEFAULT_PRICES,
    defaultMaxOutputTokens: 256,
  });
  const steps = new LiveStepExecutor();
  return {
    dispatcher: new EmbeddedDispatcher({ completions: gateway, steps }),
    openRuntime: (limits) =>
      new LocalRequestRuntime({ rootId: randomUUID(), ledger: new LocalLedger(limits), limiter: new LocalLimiter(8) }),
    subcallRequests: () => sim.stats().requestsByKind.subcall,
    close: () => sim.close(),
  };
});

describeDispatcherContract('BullmqDispatcher', async () => {
  const redisServer = await startRedisServer();
  const sim = await startSimServer({ policy: { type: 'scripted', replies: contractModel } });
  const prefix = `c${randomUUID().slice(0, 8)}`;
  const config = loadConfig({ env: {}, overrides: { baseUrl: sim.baseUrl, maxRetries: 0 } });
  const nodeOptions = {
    redis: { url: redisServer.url },
    prefix,
    config,
    concurrency: { llm: 8, step: 2, session: 2 },
    lockDurationMs: 30_000,
    cache: { namespace: 'contract', ttlSeconds: 60 },
  };
  const nodes = [await startClusterNode({ ...nodeOptions, role: 'worker' }), await startClusterNode({ ...nodeOptions, role: 'orchestrator' })];
  const redis = createRedisClient(redisServer.url);
  const connection = createRedisClient(redisServer.url, 'bullmq');
  const keys = new RedisKeys(prefix);
  const queues = new QueueSet({ connection, prefix: `{${prefix}}` });
  const bus = new RedisCancellationBus(redis, keys);
  const runtimes = new RedisRuntimeFactory(redis, keys, bus);
  return {
    dispatcher: new BullmqDispatcher({ queues, blobs: new RedisBlobStore(redis, keys) }),
    openRuntime: (limits) => runtimes.open({ rootId: randomUUID(), limits, concurrency: 8 }),
    subcallRequests: () => sim.stats().requestsByKind.subcall,
    close: async () => {
      await Promise.all(nodes.map((node) => node.close(1_000)));
      await queues.close();
      await bus.close();
      redis.disconnect();
      connection.disconnect();
      await sim.close();
      await redisServer.stop();
    },
  };
});
