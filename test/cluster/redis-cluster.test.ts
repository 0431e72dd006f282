/**
 * The cluster on a Redis Cluster: three masters started by the test, two
 * `rlm worker` and one `rlm orchestrator` with `--redis-cluster`, the SDK
 * with `redisClusterNodes`. A needle request is answered right while one
 * worker is killed mid-run, and requests land in different slots (each
 * request's keys share its root's hash tag; the queues share the prefix's).
 */
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RLM } from '@rlm/sdk';
import { generateTask, gradeAnswer, startSimServer } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';
import { startClusterProcess } from '../support/cluster-processes.ts';
import type { ClusterProcess } from '../support/cluster-processes.ts';
import { startRedisCluster } from '../support/redis-cluster.ts';
import { untilSubcalls } from './cluster-fixture.ts';
import type { RedisClusterServers } from '../support/redis-cluster.ts';

let redis: RedisClusterServers;
let sim: SimServer;
const processes: ClusterProcess[] = [];
const clients: RLM[] = [];
const prefix = `t${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  redis = await startRedisCluster();
  sim = await startSimServer({
    policy: { type: 'solver', chunkChars: 20_000 },
    latency: { firstTokenMs: 100, perOutputTokenMs: 0 },
  });
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(processes.map((process_) => process_.kill('SIGKILL')));
  await sim.close();
  await redis.stop();
});

function start(role: 'worker' | 'orchestrator'): Promise<ClusterProcess> {
  return startClusterProcess(role, {
    redisUrl: '',
    redisArgs: ['--redis-cluster', redis.nodes],
    prefix,
    baseUrl: sim.baseUrl,
  }).then((started) => {
    processes.push(started);
    return started;
  });
}

function client(): RLM {
  const rlm = new RLM({ redisClusterNodes: redis.nodes, redisPrefix: prefix, model: 'sim-large', subModel: 'sim-small', env: {} });
  clients.push(rlm);
  return rlm;
}

it('answers a needle request on a 3-master Redis Cluster while a worker is killed', async () => {
  const [victim] = await Promise.all([start('worker'), start('worker'), start('orchestrator')]);
  const task = generateTask('needle', { seed: 51, contextChars: 1_000_000 });
  const pending = client().completion(task.context, task.query);
  await untilSubcalls(sim, 5);
  await victim.kill('SIGKILL');
  const result = await pending;
  expect(result.stopReason).toBe('final');
  expect(gradeAnswer(task, result.answer)).toBe(1);
  expect(result.usage.calls).toBeGreaterThanOrEqual(sim.stats().requestsByKind.root + sim.stats().requestsByKind.subcall);
}, 180_000);

it('spreads requests over the masters: each request keys its own slot, the queues share one', async () => {
  const rlm = client();
  const tasks = [61, 62, 63, 64, 65, 66, 67, 68, 69, 70].map((seed) => generateTask('needle', { seed, contextChars: 50_000 }));
  const results = await Promise.all(tasks.map((task) => rlm.completion(task.context, task.query)));
  for (const [index, result] of results.entries()) expect(gradeAnswer(tasks[index]!, result.answer)).toBe(1);

  const probe = new Cluster(redis.nodes.split(',').map((address) => ({ host: '127.0.0.1', port: Number(address.split(':')[1]) })));
  try {
    await new Promise((resolve) => probe.once('ready', resolve));
    const masters = probe.nodes('master');
    expect(masters).toHaveLength(3);
    const perMaster = await Promise.all(masters.map((node) => node.keys(`${prefix}:root:*:ledger`)));
    // Eleven ledgers (these ten and the first test's) over three masters: more than one master
    // holds some (16384 slots, random root ids; all on one master has odds of 3 x (1/3)^11).
    expect(perMaster.flat()).toHaveLength(10 + 1);
    expect(perMaster.filter((keys) => keys.length > 0).length).toBeGreaterThan(1);
    const queueKeys = await Promise.all(masters.map((node) => node.keys(`{${prefix}}:*`)));
    expect(queueKeys.filter((keys) => keys.length > 0)).toHaveLength(1);
  } finally {
    probe.disconnect();
  }
}, 180_000);
