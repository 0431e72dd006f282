/**
 * A throwaway 3-master Redis Cluster for one test file: three `redis-server
 * --cluster-enabled yes` on free ports (each port's cluster bus, port + 10000,
 * must be free too), joined by `redis-cli --cluster create`, ready once every
 * node reports `cluster_state:ok`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';
import { startRedisServer } from './redis-server.ts';
import type { RedisServer } from './redis-server.ts';

const run = promisify(execFile);
const CLUSTER_BUS_OFFSET = 10_000;

export interface RedisClusterServers {
  /** `host:port,host:port,host:port`: the value of --redis-cluster. */
  readonly nodes: string;
  readonly servers: readonly RedisServer[];
  stop(): Promise<void>;
}

export async function startRedisCluster(): Promise<RedisClusterServers> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'rlm-redis-cluster-'));
  const servers: RedisServer[] = [];
  try {
    for (let index = 0; index < 3; index += 1) {
      const port = await portWithFreeBus();
      servers.push(
        await startRedisServer({
          port,
          extraArgs: [
            '--cluster-enabled', 'yes',
            '--cluster-config-file', path.join(directory, `nodes-${port}.conf`),
            '--cluster-node-timeout', '5000',
          ],
        }),
      );
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    for (const server of servers) await untilClusterOk(server.port);
    return {
      nodes: addresses.join(','),
      servers,
      stop: async () => {
        await Promise.all(servers.map((server) => server.stop()));
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

async function portWithFreeBus(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = await freePort();
    if (port + CLUSTER_BUS_OFFSET <= 65_535 && (await isFree(port + CLUSTER_BUS_OFFSET))) return port;
  }
  throw new Error('no free port whose cluster bus port is free too');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function untilClusterOk(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
    if (stdout.includes('cluster_state:ok')) return;
    if (Date.now() > deadline) throw new Error(`redis cluster node ${port} never reached cluster_state:ok`);
    await delay(100);
  }
}
