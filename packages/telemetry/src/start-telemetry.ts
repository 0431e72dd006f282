/**
 * Process-level tracing setup, called once by each composition root.
 *
 * Tracing is on only when an OTLP endpoint is configured
 * (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT +
 * `/v1/traces`) or an exporter is handed in. Then it registers, globally:
 * a tracer provider with this process's resource (service.name,
 * service.version, service.instance.id), a BatchSpanProcessor, the OTLP
 * exporter picked by OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf by default,
 * http/json), and an AsyncLocalStorage context manager. Off, nothing is
 * registered and @opentelemetry/api stays a no-op.
 */
import { randomUUID } from 'node:crypto';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { RlmError } from '@rlm/shared';
import packageJson from '../package.json' with { type: 'json' };

/** The service names of the engine's processes. */
export type RlmServiceName =
  'rlm-worker' | 'rlm-orchestrator' | 'rlm-cli' | 'rlm-serve' | 'rlm-batch';

export interface TelemetryOptions {
  readonly serviceName: RlmServiceName;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Replaces the OTLP exporter (and turns tracing on without an endpoint): in-memory exporters in tests. */
  readonly exporter?: SpanExporter;
}

export interface Telemetry {
  /** True when spans are recorded and exported. */
  readonly enabled: boolean;
  /** Exports every finished span now. */
  flush(): Promise<void>;
  /** Flushes, then unregisters the global provider. Idempotent. */
  shutdown(): Promise<void>;
}

/** Longest wait for the final export at shutdown. */
const SHUTDOWN_TIMEOUT_MS = 5_000;

const DISABLED: Telemetry = {
  enabled: false,
  flush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

export function startTelemetry(options: TelemetryOptions): Telemetry {
  const exporter = options.exporter ?? otlpExporter(options.env);
  if (exporter === undefined) return DISABLED;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      // The standard variable wins, as in every OpenTelemetry SDK (deployments name their roles).
      'service.name': nonEmpty(options.env.OTEL_SERVICE_NAME) ?? options.serviceName,
      'service.namespace': 'rlm',
      'service.version': packageJson.version,
      'service.instance.id': options.env.OTEL_SERVICE_INSTANCE_ID ?? randomUUID(),
      'process.pid': process.pid,
      'process.runtime.name': 'nodejs',
      'process.runtime.version': process.versions.node,
    }),
    spanProcessors: [new BatchSpanProcessor({ exporter, ...batchOptions(options.env) })],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    flush: () => provider.forceFlush(),
    shutdown: () => {
      stopped ??= (async () => {
        // An unreachable collector must not hold the process: the last export gets a bounded wait.
        const timeout = new Promise<void>((resolve) =>
          setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref(),
        );
        await Promise.race([provider.shutdown().catch(() => undefined), timeout]);
        trace.disable();
        context.disable();
        propagation.disable();
      })();
      return stopped;
    },
  };
}

/** The traces URL from the standard variables, or undefined when tracing is off. */
export function tracesEndpoint(
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (traces !== undefined && traces !== '') return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (base === undefined || base === '') return undefined;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

function otlpExporter(env: Readonly<Record<string, string | undefined>>): SpanExporter | undefined {
  const url = tracesEndpoint(env);
  if (url === undefined) return undefined;
  const protocol =
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf';
  if (protocol === 'http/protobuf') return new OtlpProtobufExporter({ url });
  if (protocol === 'http/json') return new OtlpJsonExporter({ url });
  throw new RlmError(
    'config_invalid',
    `OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not supported (use http/protobuf or http/json)`,
  );
}

/**
 * The standard OTEL_BSP_* variables. The queue default is 8,192 spans, not the SDK's 2,048: one
 * fan-out step of a few thousand sub-calls opens two spans per call within a second, and a full
 * queue drops spans.
 */
function batchOptions(env: Readonly<Record<string, string | undefined>>): {
  scheduledDelayMillis?: number;
  maxQueueSize: number;
  maxExportBatchSize?: number;
} {
  const positive = (name: string): number | undefined => {
    const value = Number(env[name]);
    return Number.isFinite(value) && value > 0 ? value : undefined;
  };
  const delay = positive('OTEL_BSP_SCHEDULE_DELAY');
  const batch = positive('OTEL_BSP_MAX_EXPORT_BATCH_SIZE');
  return {
    maxQueueSize: positive('OTEL_BSP_MAX_QUEUE_SIZE') ?? 8_192,
    ...(delay === undefined ? {} : { scheduledDelayMillis: delay }),
    ...(batch === undefined ? {} : { maxExportBatchSize: batch }),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
