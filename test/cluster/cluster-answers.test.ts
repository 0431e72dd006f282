/**
 * Cluster mode end to end: a real redis-server, two `rlm worker` and one
 * `rlm orchestrator` child processes, the simulator's solver over HTTP. The
 * synthetic tasks at 1M+ characters get the same answers as embedded mode.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RLM } from '@rlm/sdk';
import { sha256Hex } from '@rlm/shared';
import { generateTask, gradeAnswer, startSimServer } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';
import { opsGet, startClusterProcess } from '../support/cluster-processes.ts';
import type { ClusterProcess } from '../support/cluster-processes.ts';
import { startRedisServer } from '../support/redis-server.ts';
import type { RedisServer } from '../support/redis-server.ts';

let redisServer: RedisServer;
let sim: SimServer;
const processes: ClusterProcess[] = [];
const prefix = `t${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  redisServer = await startRedisServer();
  sim = await startSimServer({ policy: { type: 'solver' } });
  const options = { redisUrl: redisServer.url, prefix, baseUrl: sim.baseUrl };
  processes.push(
    ...(await Promise.all([
      startClusterProcess('worker', options),
      startClusterProcess('worker', options),
      startClusterProcess('orchestrator', options),
    ])),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((process_) => process_.kill('SIGTERM')));
  await sim.close();
  await redisServer.stop();
});

function clusterClient(options: Record<string, unknown> = {}): RLM {
  return new RLM({ redisUrl: redisServer.url, redisPrefix: prefix, model: 'sim-large', subModel: 'sim-small', env: {}, ...options });
}

describe('cluster mode', () => {
  for (const family of ['needle', 'oolong'] as const) {
    it(`answers ${family} at 1.2M characters like embedded mode`, async () => {
      const task = generateTask(family, { seed: 21, contextChars: 1_200_000 });
      const embedded = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', subModel: 'sim-small', env: {} });
      const cluster = clusterClient();
      try {
        const [local, remote] = [await embedded.completion(task.context, task.query), await cluster.completion(task.context, task.query)];
        expect(remote.stopReason).toBe('final');
        expect(remote.answer).toBe(local.answer);
        expect(gradeAnswer(task, remote.answer)).toBe(1);
        expect(remote.subcalls).toBe(local.subcalls);
      } finally {
        await cluster.close();
      }
    }, 120_000);
  }

  it('stores a context reused by 50 requests once', async () => {
    const context = generateTask('needle', { seed: 8, contextChars: 300_000 }).context;
    const hash = sha256Hex(context);
    const redis = new Redis(redisServer.url);
    const cluster = clusterClient({ maxIterations: 1 });
    try {
      const inputBytesBefore = await netInputBytes(redis);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, index) => cluster.completion(context, `What is the special magic number for key-${index}?`)),
      );
      expect(results.every((result) => result.stopReason !== 'error')).toBe(true);
      // One key holds the context, whatever the number of requests (content addressing).
      const stored = await redis.keys(`*blob*${hash}*`);
      expect(stored).toHaveLength(1);
      expect(await redis.strlen(stored[0] ?? '')).toBeGreaterThanOrEqual(context.length);
      // And its bytes crossed the wire about once, not 50 times (which alone would be 50x its size):
      // the rest is per-request job data, checkpoints and events.
      const sent = (await netInputBytes(redis)) - inputBytesBefore;
      expect(sent).toBeLessThan(10 * context.length);
    } finally {
      await cluster.close();
      redis.disconnect();
    }
  }, 120_000);

  it('serves /livez, /readyz and Prometheus /metrics', async () => {
    const worker = processes[0];
    if (worker === undefined) throw new Error('no worker');
    expect((await opsGet(worker.opsPort, '/livez')).status).toBe(200);
    expect((await opsGet(worker.opsPort, '/readyz')).status).toBe(200);
    const metrics = await opsGet(worker.opsPort, '/metrics');
    expect(metrics.body).toMatch(/# TYPE rlm_jobs_processed_total counter/);
    expect(metrics.body).toMatch(/rlm_queue_jobs\{queue="llm",state="completed"\} \d+/);
  });
});

async function netInputBytes(redis: Redis): Promise<number> {
  const info = await redis.info('stats');
  return Number(/total_net_input_bytes:(\d+)/.exec(info)?.[1] ?? 'NaN');
}
