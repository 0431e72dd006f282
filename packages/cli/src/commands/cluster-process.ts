/**
 * `rlm worker` and `rlm orchestrator`: long-running cluster processes with
 * /livez, /readyz and /metrics, graceful on SIGTERM (readiness flips first,
 * running jobs get the grace period, then the process exits 0). A process
 * starts whole or not at all: the ops server binds first, and a port that
 * cannot be bound ends the process (exit 1) before it touches a queue.
 */
import { describeRedisTarget } from '@rlm/redis';
import { loadConfig, redisTargetOf } from '@rlm/shared';
import { parseFlags } from '../strict-flags.ts';
import { createLogger, startTelemetry } from '@rlm/telemetry';
import type { CommandIo } from '../command-io.ts';
import { startClusterNode } from '../cluster/cluster-node.ts';
import type { ClusterNode, ClusterRole } from '../cluster/cluster-node.ts';
import { startOpsServer } from '../cluster/ops-server.ts';
import { ENGINE_FLAG_OPTIONS, engineOverrides } from '../engine-flags.ts';
import { numberFlag } from '../number-flag.ts';
import { usageError } from '../usage-error.ts';

export const CLUSTER_USAGE = `rlm worker|orchestrator (--redis URL | --redis-cluster HOST:PORT,...) [--prefix P] [--host H]
        [--port N] [--llm-concurrency N] [--step-concurrency N] [--session-concurrency N] [--grace SEC]
        [--lock-ms MS]
  a cluster process; /livez /readyz /metrics /backlog on --host (default 127.0.0.1) and --port
  (default: a free port, printed at start-up); the ops server binds before any job is taken
  tracing: OTEL_EXPORTER_OTLP_ENDPOINT (+ OTEL_EXPORTER_OTLP_PROTOCOL); logs: --log-level, --record-content`;

export function clusterCommand(role: ClusterRole) {
  return async (argv: readonly string[], io: CommandIo): Promise<number> => {
    const { values } = parseFlags({
      args: [...argv],
      options: {
        ...ENGINE_FLAG_OPTIONS,
        prefix: { type: 'string', default: 'rlm' },
        // Loopback unless told otherwise: /metrics and /backlog are not for the whole network.
        host: { type: 'string', default: '127.0.0.1' },
        // 0: a free port, so several processes start side by side on one host; deployments pin it.
        port: { type: 'string', default: '0' },
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
    const redis = redisTargetOf(config);
    if (redis === undefined) {
      throw usageError('--redis / REDIS_URL or --redis-cluster / REDIS_CLUSTER_NODES is required for cluster processes');
    }
    const concurrency = { llm: int('llm-concurrency', 1), step: int('step-concurrency', 1), session: int('session-concurrency', 1) };
    const lockDurationMs = int('lock-ms', 1000);
    const cache = { namespace: values['cache-namespace'], ttlSeconds: int('cache-ttl', 1) };
    const graceMs = int('grace', 0) * 1000;
    const port = int('port', 0);
    if (port > 65_535) throw usageError(`--port: ${port} is not a TCP port (0-65535)`);
    const serviceName = role === 'worker' ? 'rlm-worker' : 'rlm-orchestrator';

    // The ops server comes first: a process that cannot serve /readyz and drain on SIGTERM must
    // not take jobs. Until the node is up, /readyz answers 503.
    let node: ClusterNode | undefined;
    const ops = await startOpsServer(
      { host: values.host, port },
      {
        ready: async () => node !== undefined && (await node.ready()),
        metrics: async () => (node === undefined ? '' : node.renderMetrics()),
        backlog: async () => {
          if (node === undefined) throw new Error('starting');
          return node.backlog();
        },
      },
    ).catch((error: unknown) => {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new Error(`${role}: cannot serve /livez /readyz /metrics on ${values.host}:${port} (${reason}); choose another --port, or omit it for a free one`);
    });
    const telemetry = startTelemetry({ serviceName, env: io.env });
    const logger = createLogger({ serviceName, level: config.logLevel, recordContent: config.recordContent });
    try {
      node = await startClusterNode({ logger, role, redis, prefix: values.prefix, config, concurrency, lockDurationMs, cache });
    } catch (error) {
      await ops.close();
      await telemetry.shutdown();
      throw error;
    }
    // The plain lines stay (operators and tests read them); the logger carries the same facts as JSON.
    io.stderr(`rlm ${role} ready: ops on ${values.host}:${ops.port}, redis ${describeRedisTarget(redis)}, prefix ${values.prefix}`);
    logger.info({ role, opsHost: values.host, opsPort: ops.port, prefix: values.prefix, tracing: telemetry.enabled }, 'ready');
    await new Promise<void>((resolve) => {
      const detach = io.onInterrupt(() => {
        detach();
        resolve();
      });
    });
    io.stderr(`rlm ${role} draining (grace ${values.grace} s)`);
    logger.info({ role, graceSeconds: Number(values.grace) }, 'draining');
    await node.close(graceMs);
    await ops.close();
    await telemetry.shutdown(); // exports the spans still buffered
    logger.info({ role }, 'stopped');
    logger.flush();
    io.stderr(`rlm ${role} stopped`);
    return 0;
  };
}
