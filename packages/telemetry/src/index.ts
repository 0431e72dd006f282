/** Process telemetry: the tracer provider setup and the logger of each composition root. */
export { startTelemetry, tracesEndpoint } from './start-telemetry.ts';
export type { RlmServiceName, Telemetry, TelemetryOptions } from './start-telemetry.ts';
export { createLogger, redactPaths } from './create-logger.ts';
export type { Logger, LoggerOptions, LogLevel } from './create-logger.ts';
