/**
 * A scripted simulator plus this process's telemetry exporting into memory: the setup of
 * tests that run requests in-process and then read the spans they produced.
 */
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { startSimServer } from '@rlm/sim';
import type { ScriptedReplyFunction, SimServer } from '@rlm/sim';
import { startTelemetry } from '@rlm/telemetry';
import type { RlmServiceName, Telemetry } from '@rlm/telemetry';

export interface TracedSim {
  readonly sim: SimServer;
  /** Holds every span finished since the last reset; call `telemetry.flush()` before reading. */
  readonly exporter: InMemorySpanExporter;
  readonly telemetry: Telemetry;
  /** Shuts telemetry down, then the simulator. */
  close(): Promise<void>;
}

export async function startTracedSim(
  serviceName: RlmServiceName,
  replies: ScriptedReplyFunction,
): Promise<TracedSim> {
  const sim = await startSimServer({ policy: { type: 'scripted', replies } });
  const exporter = new InMemorySpanExporter();
  const telemetry = startTelemetry({ serviceName, env: {}, exporter });
  return {
    sim,
    exporter,
    telemetry,
    close: async () => {
      await telemetry.shutdown();
      await sim.close();
    },
  };
}
