/** One redis-server, one simulator and a set of cluster processes for a test file. */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { RLM } from '@rlm/sdk';
import { startSimServer } from '@rlm/sim';
import type { SimServer, SimServerOptions } from '@rlm/sim';
import { startClusterProcess } from '../support/cluster-processes.ts';
import type { ClusterProcess, ClusterProcessOptions } from '../support/cluster-processes.ts';
import { startRedisServer } from '../support/redis-server.ts';
import type { RedisServer, RedisServerOptions } from '../support/redis-server.ts';

export interface ClusterFixture {
  readonly redis: RedisServer;
  readonly sim: SimServer;
  readonly prefix: string;
  /** `--redis URL --prefix PREFIX`: points a CLI command at this cluster. */
  readonly cliFlags: readonly string[];
  readonly processes: ClusterProcess[];
  start(
    role: 'worker' | 'orchestrator',
    extraArgs?: readonly string[],
    env?: Record<string, string>,
    options?: Pick<ClusterProcessOptions, 'opsPort'>,
  ): Promise<ClusterProcess>;
  client(options?: Record<string, unknown>): RLM;
  stop(): Promise<void>;
}

export async function startClusterFixture(
  simOptions: SimServerOptions,
  redisOptions: RedisServerOptions = {},
): Promise<ClusterFixture> {
  const redis = await startRedisServer(redisOptions);
  const sim = await startSimServer(simOptions);
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const processes: ClusterProcess[] = [];
  const clients: RLM[] = [];
  return {
    redis,
    sim,
    prefix,
    cliFlags: ['--redis', redis.url, '--prefix', prefix],
    processes,
    start: async (role, extraArgs = [], env = {}, options = {}) => {
      const started = await startClusterProcess(role, {
        redisUrl: redis.url,
        prefix,
        baseUrl: sim.baseUrl,
        extraArgs,
        env,
        ...options,
      });
      processes.push(started);
      return started;
    },
    client: (options = {}) => {
      const client = new RLM({
        redisUrl: redis.url,
        redisPrefix: prefix,
        model: 'sim-large',
        subModel: 'sim-small',
        env: {},
        ...options,
      });
      clients.push(client);
      return client;
    },
    stop: async () => {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all(processes.map((process_) => process_.kill('SIGKILL')));
      await sim.close();
      await redis.stop();
    },
  };
}

/** Waits until the simulator has seen `count` sub-call requests: the request is mid-flight. */
export async function untilSubcalls(sim: Pick<SimServer, 'stats'>, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (sim.stats().requestsByKind.subcall < count) {
    if (Date.now() > deadline) throw new Error('the request never got going');
    await delay(20);
  }
}
