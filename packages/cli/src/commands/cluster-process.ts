/**
 * `rlm worker` and `rlm orchestrator`: long-running cluster processes with
 * /livez, /readyz and /metrics, graceful on SIGTERM (readiness flips first,
 * running jobs get the grace period, then the process exits 0).
 */
import { parseFlags } from '../strict-flags.ts';
import { loadConfig } from '@rlm/shared';
import { createLogger, startTelemetry } from '@rlm/telemetry';
import type { CommandIo } from '../command-io.ts';
import { startClusterNode } from '../cluster/cluster-node.ts';
import type { ClusterRole } from '../cluster/cluster-node.ts';
import { startOpsServer } from '../cluster/ops-server.ts';
import { ENGINE_FLAG_OPTIONS, engineOverrides } from '../engine-flags.ts';
import { numberFlag } from '../number-flag.ts';
import { usageError } from '../usage-error.ts';

export const CLUSTER_USAGE = `rlm worker|orchestrator --redis URL [--prefix P] [--port N] [--llm-concurrency N]
        [--step-concurrency N] [--session-concurrency N] [--grace SEC] [--lock-ms MS]
  a cluster process; /livez /readyz /metrics /backlog on --port (default 9464 worker, 9465 orchestrator)
  tracing: OTEL_EXPORTER_OTLP_ENDPOINT (+ OTEL_EXPORTER_OTLP_PROTOCOL); logs: --log-level, --record-content`;

export function clusterCommand(role: ClusterRole) {
  return async (argv: readonly string[], io: CommandIo): Promise<number> => {
    const { values } = parseFlags({
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
    const serviceName = role === 'worker' ? 'rlm-worker' : 'rlm-orchestrator';
    const telemetry = startTelemetry({ serviceName, env: io.env });
    const logger = createLogger({ serviceName, level: config.logLevel, recordContent: config.recordContent });
    const node = await startClusterNode({
      logger,
      role,
      redisUrl: config.redisUrl,
      prefix: values.prefix,
      config,
      concurrency: { llm: int('llm-concurrency', 1), step: int('step-concurrency', 1), session: int('session-concurrency', 1) },
      lockDurationMs: int('lock-ms', 1000),
      cache: { namespace: values['cache-namespace'], ttlSeconds: int('cache-ttl', 1) },
    });
    const ops = await startOpsServer(int('port', 0), {
      ready: () => node.ready(),
      metrics: () => node.renderMetrics(),
      backlog: () => node.backlog(),
    });
    // The plain lines stay (operators and tests read them); the logger carries the same facts as JSON.
    io.stderr(`rlm ${role} ready: ops on port ${ops.port}, redis ${redactUrl(config.redisUrl)}, prefix ${values.prefix}`);
    logger.info({ role, opsPort: ops.port, prefix: values.prefix, tracing: telemetry.enabled }, 'ready');
    await new Promise<void>((resolve) => {
      const detach = io.onInterrupt(() => {
        detach();
        resolve();
      });
    });
    io.stderr(`rlm ${role} draining (grace ${values.grace} s)`);
    logger.info({ role, graceSeconds: Number(values.grace) }, 'draining');
    await node.close(int('grace', 0) * 1000);
    await ops.close();
    await telemetry.shutdown(); // exports the spans still buffered
    logger.info({ role }, 'stopped');
    logger.flush();
    io.stderr(`rlm ${role} stopped`);
    return 0;
  };
}

/** Never print a Redis password. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
