/**
 * The endpoint of the commands that always run embedded (`rlm demo`, `rlm eval`): the
 * configured model when an endpoint or API key is set, otherwise the simulator started
 * in-process, so the command works with no setup at all.
 */
import { loadConfig } from '@rlm/shared';
import type { EngineConfig } from '@rlm/shared';
import { startSimServer } from '@rlm/sim';
import type { SimServer, SimServerOptions } from '@rlm/sim';
import type { CommandIo } from './command-io.ts';
import { engineOverrides } from './engine-flags.ts';
import { usageError } from './usage-error.ts';

export interface EmbeddedEndpoint {
  /** The engine flags given, as config overrides. */
  readonly overrides: Record<string, unknown>;
  /** The environment with REDIS_URL and REDIS_CLUSTER_NODES removed: these commands never join a cluster. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly configured: EngineConfig;
  /** The in-process simulator, when no endpoint is configured; the caller closes it. */
  readonly sim: SimServer | undefined;
}

export async function embeddedEndpoint(
  values: Record<string, unknown>,
  io: CommandIo,
  options: {
    /** The usage error for `--redis`, which these commands refuse. */
    readonly redisRefusal: string;
    readonly simulator: SimServerOptions;
  },
): Promise<EmbeddedEndpoint> {
  const overrides = engineOverrides(values);
  if (overrides['redisUrl'] !== undefined || overrides['redisClusterNodes'] !== undefined) {
    throw usageError(options.redisRefusal);
  }
  const env = { ...io.env, REDIS_URL: undefined, REDIS_CLUSTER_NODES: undefined };
  const configured = loadConfig({ env, overrides });
  const useSimulator = configured.baseUrl === undefined && configured.apiKey === undefined;
  const sim = useSimulator ? await startSimServer(options.simulator) : undefined;
  return { overrides, env, configured, sim };
}
