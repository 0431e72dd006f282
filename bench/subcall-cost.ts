/**
 * What one sub-call costs in cluster mode next to raw BullMQ doing the same
 * request/response, on one redis-server and one zero-latency simulator in one run:
 *   raw:     queue.add + job.waitUntilFinished(queueEvents) x N at once; a Worker
 *            (own process, concurrency 256) calls the simulator with the openai client
 *   cluster: one request whose REPL step fans out N llm_query through `rlm worker`
 *            (llm concurrency 256) + `rlm orchestrator`, request concurrency N
 * Both sides have all N calls outstanding and 256 executing: the same shape.
 * (With a request cap equal to the worker's concurrency, the cluster's queue
 * never holds a backlog, so every completion's fetch of a next job finds none
 * and the worker pays BullMQ's empty-queue path, ~8 more commands a call. That
 * shape is reported too, as `clusterCapped`, outside the ratios.)
 * Per sub-call: Redis commands (commandstats, script-internal commands included),
 * Redis CPU (redis-server user + sys), our node processes' CPU, throughput; then
 * the ratios cluster / raw.
 * Two alternating rounds per side; each side reports its best (see `best`).
 * Last, the fan-out: 400 llm_query at 200 ms, cap 100, 2 workers, against its ideal
 * critical path (root calls + ceil(400 / 100) rounds, x 200 ms), next to raw
 * BullMQ's own fan-out on the same machine (400 jobs, 2 workers at concurrency
 * 50: ideal 4 x 200 ms), the floor this machine's CPU sets.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { RLM } from '@rlm/sdk';
import { startClusterProcess } from '../test/support/cluster-processes.ts';
import type { ClusterProcess } from '../test/support/cluster-processes.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import type { RedisServer } from '../test/support/redis-server.ts';
import { measureRedisCost } from './redis-cost.ts';
import type { RedisCost } from './redis-cost.ts';
import { spawnSim } from './spawn-sim.ts';

const CONCURRENCY = 256;
const ROUNDS = 2;
/** Commands listed per side in the results: enough to see where the difference is. */
const TOP_COMMANDS = 16;

interface SideFigures {
  readonly seconds: number;
  readonly subcallsPerSecond: number;
  readonly commandsPerSubcall: number;
  readonly redisCpuMicrosPerSubcall: number;
  /** CPU of our side's node processes (raw: worker + submitting client; cluster: worker + orchestrator + client). */
  readonly nodeCpuMicrosPerSubcall: number;
  readonly topCommandsPerSubcall: Record<string, number>;
}

export async function benchSubcallCost(subcalls = 2_000): Promise<object> {
  const redisServer = await startRedisServer();
  const sim = await spawnSim(subcalls, 0, 1);
  const redis = new Redis(redisServer.url);
  try {
    // Alternating rounds, best of each side: a shared machine's load comes and goes, and what a
    // round loses to other processes is noise, not cost. Command counts do not vary.
    const raws: SideFigures[] = [];
    const clusters: SideFigures[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      raws.push(figures(subcalls, await runRaw(redisServer, sim.baseUrl, subcalls, redis)));
      clusters.push(figures(subcalls, await runCluster(redisServer, sim.baseUrl, subcalls, redis, subcalls)));
    }
    const raw = best(raws);
    const cluster = best(clusters);
    const clusterCapped = figures(subcalls, await runCluster(redisServer, sim.baseUrl, subcalls, redis, CONCURRENCY));
    return {
      subcalls,
      raw,
      cluster,
      clusterCapped: { requestConcurrency: CONCURRENCY, ...clusterCapped },
      ratios: {
        throughput: round(cluster.subcallsPerSecond / raw.subcallsPerSecond),
        commandsPerSubcall: round(cluster.commandsPerSubcall / raw.commandsPerSubcall),
        redisCpuPerSubcall: round(cluster.redisCpuMicrosPerSubcall / raw.redisCpuMicrosPerSubcall),
        nodeCpuPerSubcall: round(cluster.nodeCpuMicrosPerSubcall / raw.nodeCpuMicrosPerSubcall),
      },
      fanOut: await runFanOut(),
    };
  } finally {
    redis.disconnect();
    await sim.stop();
    await redisServer.stop();
  }
}

/** The measured part only: processes start and warm up before the clock starts and the counters reset. */
type Measured = { readonly value: { readonly seconds: number; readonly nodeCpuMs: number }; readonly cost: RedisCost };

async function runRaw(server: RedisServer, baseUrl: string, subcalls: number, redis: Redis): Promise<Measured> {
  const prefix = `{raw${randomUUID().slice(0, 6)}}`;
  const worker = await spawnRawWorker(server.url, baseUrl, prefix, 'raw-llm');
  const connection = { url: server.url, maxRetriesPerRequest: null };
  const queue = new Queue('raw-llm', { connection, prefix });
  // waitUntilFinished adds a 'closing' listener per waiting job: 2,000 are expected here.
  queue.setMaxListeners(0);
  const events = new QueueEvents('raw-llm', { connection, prefix });
  try {
    await events.waitUntilReady();
    const round_ = async (count: number, tag: string): Promise<void> => {
      const replies = await Promise.all(
        Array.from({ length: count }, async (_, index) => {
          const job = await queue.add('llm', { prompt: `Reply with ok. ${tag} item ${index}` });
          return (await job.waitUntilFinished(events)) as string;
        }),
      );
      const ok = replies.filter((reply) => reply === 'ok').length;
      if (ok !== count) throw new Error(`raw BullMQ: ${ok} of ${count} replies were ok`);
    };
    await round_(50, 'warm-up');
    return await measureTimed(redis, [worker.pid], () => round_(subcalls, randomUUID()));
  } finally {
    await events.close();
    await queue.close();
    await worker.stop();
  }
}

async function runCluster(server: RedisServer, baseUrl: string, subcalls: number, redis: Redis, requestConcurrency: number): Promise<Measured> {
  const prefix = `b${randomUUID().slice(0, 8)}`;
  const options = { redisUrl: server.url, prefix, baseUrl, extraArgs: ['--llm-concurrency', String(CONCURRENCY), '--lock-ms', '30000'] };
  const processes = await Promise.all([startClusterProcess('worker', options), startClusterProcess('orchestrator', options)]);
  const client = new RLM({ redisUrl: server.url, redisPrefix: prefix, model: 'sim-large', subModel: 'sim-small', concurrency: requestConcurrency, env: {} });
  try {
    await client.completion('warm-up', 'warm up');
    return await measureTimed(redis, processes.map((process_) => process_.child.pid ?? 0), async () => {
      const result = await client.completion('throughput', 'go');
      if (result.answer !== String(subcalls)) throw new Error(`cluster answered ${result.answer}, expected ${subcalls}`);
    });
  } finally {
    await client.close();
    await stopAll(processes);
  }
}

const FAN_OUT = { subcalls: 400, latencyMs: 200, cap: 100, workers: 2 } as const;

async function runFanOut(): Promise<object> {
  const cluster = await runClusterFanOut();
  const raw = await runRawFanOut();
  return { ...cluster, raw, ratioOverRaw: round(cluster.ratio / raw.ratio) };
}

/** Raw BullMQ: 400 jobs added at once, 2 workers at concurrency cap / 2, each job one 200 ms completion. */
async function runRawFanOut(): Promise<{ idealMs: number; measuredMs: number; ratio: number }> {
  const { subcalls, latencyMs, cap, workers } = FAN_OUT;
  const redisServer = await startRedisServer();
  const sim = await spawnSim(subcalls, latencyMs, 1);
  const prefix = `{rawf${randomUUID().slice(0, 6)}}`;
  const connection = { url: redisServer.url, maxRetriesPerRequest: null };
  const started: Array<{ stop(): Promise<void> }> = [];
  const queue = new Queue('raw-fan-out', { connection, prefix });
  queue.setMaxListeners(0);
  const events = new QueueEvents('raw-fan-out', { connection, prefix });
  try {
    for (let index = 0; index < workers; index += 1) {
      started.push(await spawnRawWorker(redisServer.url, sim.baseUrl, prefix, 'raw-fan-out', cap / workers));
    }
    await events.waitUntilReady();
    const run = async (count: number, tag: string): Promise<void> => {
      await Promise.all(
        Array.from({ length: count }, async (_, index) => {
          const job = await queue.add('llm', { prompt: `Reply with ok. ${tag} item ${index}` });
          await job.waitUntilFinished(events);
        }),
      );
    };
    await run(cap, 'warm-up');
    const begin = performance.now();
    await run(subcalls, randomUUID());
    const measuredMs = performance.now() - begin;
    const idealMs = Math.ceil(subcalls / cap) * latencyMs;
    return { idealMs, measuredMs: Math.round(measuredMs), ratio: round(measuredMs / idealMs) };
  } finally {
    await events.close();
    await queue.close();
    await Promise.all(started.map((worker) => worker.stop()));
    await sim.stop();
    await redisServer.stop();
  }
}

async function runClusterFanOut(): Promise<{ subcalls: number; cap: number; workers: number; latencyMs: number; rootCalls: number; idealMs: number; measuredMs: number; ratio: number }> {
  const { subcalls, latencyMs, cap } = FAN_OUT;
  const redisServer = await startRedisServer();
  const sim = await spawnSim(subcalls, latencyMs, 1);
  const prefix = `f${randomUUID().slice(0, 8)}`;
  const options = { redisUrl: redisServer.url, prefix, baseUrl: sim.baseUrl, extraArgs: ['--lock-ms', '30000'] };
  const processes: ClusterProcess[] = [];
  const client = new RLM({ redisUrl: redisServer.url, redisPrefix: prefix, model: 'sim-large', subModel: 'sim-small', concurrency: cap, env: {} });
  try {
    processes.push(...(await Promise.all([startClusterProcess('worker', options), startClusterProcess('worker', options), startClusterProcess('orchestrator', options)])));
    await client.completion('warm-up', 'warm up');
    const started = performance.now();
    const result = await client.completion('fan-out', 'go');
    const measuredMs = performance.now() - started;
    if (result.answer !== String(subcalls)) throw new Error(`fan-out answered ${result.answer}, expected ${subcalls}`);
    const rootCalls = result.usage.calls - subcalls;
    const idealMs = (rootCalls + Math.ceil(subcalls / cap)) * latencyMs;
    return { subcalls, cap, workers: 2, latencyMs, rootCalls, idealMs, measuredMs: Math.round(measuredMs), ratio: round(measuredMs / idealMs) };
  } finally {
    await client.close();
    await stopAll(processes);
    await sim.stop();
    await redisServer.stop();
  }
}

/** Wall time, Redis cost, and the CPU of this process plus the given child processes. */
function measureTimed(redis: Redis, pids: readonly number[], body: () => Promise<void>): Promise<Measured> {
  return measureRedisCost(redis, async () => {
    const childrenBefore = pids.map(processCpuMs);
    const ownBefore = process.cpuUsage();
    const started = performance.now();
    await body();
    const seconds = (performance.now() - started) / 1000;
    const own = process.cpuUsage(ownBefore);
    const children = pids.reduce((sum, pid, index) => sum + processCpuMs(pid) - (childrenBefore[index] ?? 0), 0);
    return { seconds, nodeCpuMs: children + (own.user + own.system) / 1000 };
  });
}

/** User + system CPU of a process so far (Linux /proc; clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function figures(subcalls: number, measured: Measured): SideFigures {
  const { value, cost } = measured;
  const top: Record<string, number> = {};
  for (const [name, calls] of [...cost.byCommand].slice(0, TOP_COMMANDS)) top[name] = round(calls / subcalls);
  return {
    seconds: round(value.seconds),
    subcallsPerSecond: Math.round(subcalls / value.seconds),
    commandsPerSubcall: round(cost.commands / subcalls),
    redisCpuMicrosPerSubcall: Math.round((cost.cpuSeconds * 1e6) / subcalls),
    nodeCpuMicrosPerSubcall: Math.round((value.nodeCpuMs * 1000) / subcalls),
    topCommandsPerSubcall: top,
  };
}

/** The round with the highest throughput, its CPU replaced by the lowest any round needed. */
function best(rounds: readonly SideFigures[]): SideFigures {
  const fastest = rounds.reduce((a, b) => (b.subcallsPerSecond > a.subcallsPerSecond ? b : a));
  return {
    ...fastest,
    redisCpuMicrosPerSubcall: Math.min(...rounds.map((round) => round.redisCpuMicrosPerSubcall)),
    nodeCpuMicrosPerSubcall: Math.min(...rounds.map((round) => round.nodeCpuMicrosPerSubcall)),
  };
}

async function stopAll(processes: readonly ClusterProcess[]): Promise<void> {
  await Promise.all(processes.map((process_) => process_.kill('SIGKILL')));
}

function spawnRawWorker(redisUrl: string, baseUrl: string, prefix: string, queue: string, concurrency = CONCURRENCY): Promise<{ pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'raw-bullmq-worker.ts'), redisUrl, baseUrl, prefix, queue, String(concurrency)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`raw BullMQ worker exited early (${code})`)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (!chunk.toString('utf8').includes('READY')) return;
      child.removeAllListeners('exit');
      resolve({
        pid: child.pid ?? 0,
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.stdin.end();
          }),
      });
    });
  });
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
