/**
 * Cluster figures: a real redis-server, the simulator in its own process, two
 * `rlm worker` processes and one `rlm orchestrator`, all on this machine.
 *   - sub-calls per second through Redis (zero-latency simulator)
 *   - fan-out ratio to the ideal critical path with 2 workers
 *   - Redis bytes received for one request over a 10 MB context that runs several steps
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RLM } from '@rlm/sdk';
import { startClusterProcess } from '../test/support/cluster-processes.ts';
import type { ClusterProcess } from '../test/support/cluster-processes.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { spawnSim } from './spawn-sim.ts';

export interface ClusterFigures {
  readonly throughput: { subcalls: number; seconds: number; subcallsPerSecond: number };
  readonly fanOut: { subcalls: number; concurrency: number; latencyMs: number; idealMs: number; measuredMs: number; ratio: number };
  readonly contextBytes: { contextChars: number; steps: number; redisBytesReceived: number; ratioToContext: number };
}

async function withCluster<T>(subcalls: number, latencyMs: number, steps: number, body: (client: RLM, redis: Redis) => Promise<T>): Promise<T> {
  const redisServer = await startRedisServer();
  const sim = await spawnSim(subcalls, latencyMs, steps);
  const prefix = `b${randomUUID().slice(0, 8)}`;
  const processes: ClusterProcess[] = [];
  const redis = new Redis(redisServer.url);
  const client = new RLM({ redisUrl: redisServer.url, redisPrefix: prefix, model: 'sim-large', subModel: 'sim-small', concurrency: 64, env: {} });
  try {
    const options = { redisUrl: redisServer.url, prefix, baseUrl: sim.baseUrl, extraArgs: ['--llm-concurrency', '64', '--lock-ms', '30000'] };
    processes.push(
      ...(await Promise.all([startClusterProcess('worker', options), startClusterProcess('worker', options), startClusterProcess('orchestrator', options)])),
    );
    await client.completion('warm-up', 'warm up');
    return await body(client, redis);
  } finally {
    await client.close();
    redis.disconnect();
    await Promise.all(processes.map((process_) => process_.kill('SIGKILL')));
    await sim.stop();
    await redisServer.stop();
  }
}

export async function benchCluster(): Promise<ClusterFigures> {
  const throughputSubcalls = 2_000;
  // Workers get the default 30 s job lock here: at full CPU on 2 cores, the tests' 2 s lock would expire
  // before BullMQ renews it and stalled jobs would be re-delivered while still running.
  const throughput = await withCluster(throughputSubcalls, 0, 1, async (client) => {
    const started = performance.now();
    const result = await client.completion('throughput', 'go');
    const seconds = (performance.now() - started) / 1000;
    if (result.answer !== String(throughputSubcalls)) throw new Error(`cluster throughput answered ${result.answer}`);
    return { subcalls: throughputSubcalls, seconds: round(seconds), subcallsPerSecond: Math.round(throughputSubcalls / seconds) };
  });

  const fanOutSubcalls = 400;
  const latencyMs = 200;
  const concurrency = 64;
  const fanOut = await withCluster(fanOutSubcalls, latencyMs, 1, async (client) => {
    const started = performance.now();
    const result = await client.completion('fan-out', 'go');
    const measuredMs = performance.now() - started;
    if (result.answer !== String(fanOutSubcalls)) throw new Error(`cluster fan-out answered ${result.answer}`);
    const rootCalls = result.usage.calls - fanOutSubcalls;
    const idealMs = (rootCalls + Math.ceil(fanOutSubcalls / concurrency)) * latencyMs;
    return { subcalls: fanOutSubcalls, concurrency, latencyMs, idealMs, measuredMs: Math.round(measuredMs), ratio: round(measuredMs / idealMs) };
  });

  const contextChars = 10_000_000;
  const steps = 3;
  const contextBytes = await withCluster(1, 0, steps, async (client, redis) => {
    const context = 'x'.repeat(contextChars - 7) + 'needle!';
    const before = await netInputBytes(redis);
    const result = await client.completion(context, 'go');
    const received = (await netInputBytes(redis)) - before;
    return { contextChars, steps: result.iterations, redisBytesReceived: received, ratioToContext: round(received / contextChars) };
  });

  return { throughput, fanOut, contextBytes };
}

async function netInputBytes(redis: Redis): Promise<number> {
  const info = await redis.info('stats');
  return Number(/total_net_input_bytes:(\d+)/.exec(info)?.[1] ?? 'NaN');
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
