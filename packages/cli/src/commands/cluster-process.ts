/**
 * `rlm worker` and `rlm orchestrator`: long-running cluster processes with
 * /livez, /readyz and /metrics, graceful on SIGTERM (readiness flips first,
 * running jobs get the grace period, then the process exits 0).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '@rlm/shared';
import type { CommandIo } from '../command-io.ts';
import { startClusterNode } from '../cluster/cluster-node.ts';
import type { ClusterRole } from '../cluster/cluster-node.ts';
import { startOpsServer } from '../cluster/ops-server.ts';
import { ENGINE_FLAG_OPTIONS, engineOverrides } from '../engine-flags.ts';
import { numberFlag } from '../number-flag.ts';
import { usageError } from '../usage-error.ts';

export const CLUSTER_USAGE = `rlm worker|orchestrator --redis URL [--prefix P] [--port N] [--llm-concurrency N]
        [--step-concurrency N] [--session-concurrency N] [--grace SEC] [--lock-ms MS]
  a cluster process; /livez /readyz /metrics on --port (default 9464 worker, 9465 orchestrator)`;

export function clusterCommand(role: ClusterRole) {
  return async (argv: readonly string[], io: CommandIo): Promise<number> => {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        ...ENGINE_FLAG_OPTIONS,
        prefix: { type: 'string', default: 'rlm' },
        port: { type: 'string', default: role === 'worker' ? '9464' : '9465' },
        'llm-concurrency': { type: 'string', default: '64' },
        'step-concurrency': { type: 'string', default: '8' },
        'session-concurrency': { type: 'string', default: '16' },
        grace: { type: 'string', default: '30' },
        'lock-ms': { type: 'string', default: '30000' },
        'cache-ttl': { type: 'string', default: '86400' },
        'cache-namespace': { type: 'string', default: 'v1' },
      },
      strict: true,
    });
    const int = (flag: string, min: number): number =>
      numberFlag(flag, (values as Record<string, unknown>)[flag], { min, integer: true });
    const config = loadConfig({ env: io.env, overrides: engineOverrides(values) });
    if (config.redisUrl === undefined) throw usageError('--redis / REDIS_URL is required for cluster processes');
    const node = await startClusterNode({
      role,
      redisUrl: config.redisUrl,
      prefix: values.prefix,
      config,
      concurrency: { llm: int('llm-concurrency', 1), step: int('step-concurrency', 1), session: int('session-concurrency', 1) },
      lockDurationMs: int('lock-ms', 1000),
      cache: { namespace: values['cache-namespace'], ttlSeconds: int('cache-ttl', 1) },
    });
    const ops = await startOpsServer(int('port', 0), { ready: () => node.ready(), metrics: () => node.renderMetrics() });
    io.stderr(`rlm ${role} ready: ops on port ${ops.port}, redis ${redactUrl(config.redisUrl)}, prefix ${values.prefix}`);
    await new Promise<void>((resolve) => {
      const detach = io.onInterrupt(() => {
        detach();
        resolve();
      });
    });
    io.stderr(`rlm ${role} draining (grace ${values.grace} s)`);
    await node.close(int('grace', 0) * 1000);
    await ops.close();
    io.stderr(`rlm ${role} stopped`);
    return 0;
  };
}

/** Never print a Redis password. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
