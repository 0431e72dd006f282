/** Process telemetry: tracer provider setup and loggers (filled in by issue 4). */
export {};
