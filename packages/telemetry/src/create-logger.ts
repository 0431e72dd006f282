/**
 * The process logger: pino JSON lines on stderr (stdout belongs to command
 * output), each stamped with the active span's `trace_id` / `span_id` so a log
 * line leads to its trace. Secrets are always redacted; prompt, code and
 * completion fields are redacted unless the user opted in (`recordContent`).
 * On a terminal the lines are pretty-printed instead.
 */
import { trace } from '@opentelemetry/api';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggerOptions {
  readonly serviceName: string;
  readonly level: LogLevel;
  /** Keep prompt / code / completion fields (they are redacted otherwise). */
  readonly recordContent?: boolean;
  /** Where lines go; stderr when absent (pretty when stderr is a terminal). */
  readonly destination?: DestinationStream;
}

/** Keys whose values never reach a log line, at the top level or one object down. */
const SECRET_KEYS = [
  'apiKey',
  'api_key',
  'authorization',
  'Authorization',
  'password',
  'token',
  'secret',
  'headers.authorization',
];
/**
 * Content keys, redacted unless the user opted in. REPL code is named by its
 * holders (a step task, job data), never by a bare `code`: error codes
 * (`{code: 'llm_http'}`, `err.code: 'ECONNREFUSED'`) are what an operator
 * needs to read.
 */
const CONTENT_KEYS = [
  'prompt',
  'messages',
  'content',
  'task.code',
  'data.code',
  'step.code',
  'completion',
  'output',
  'query',
  'answer',
  'context',
];

export function redactPaths(recordContent: boolean): string[] {
  const keys = recordContent ? SECRET_KEYS : [...SECRET_KEYS, ...CONTENT_KEYS];
  return keys.flatMap((key) => [key, `*.${key}`]);
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? defaultDestination();
  return pino(
    {
      level: options.level,
      base: { service: options.serviceName, pid: process.pid },
      redact: { paths: redactPaths(options.recordContent ?? false), censor: '[redacted]' },
      mixin: () => {
        const spanContext = trace.getActiveSpan()?.spanContext();
        if (spanContext === undefined) return {};
        return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
      },
    },
    destination,
  );
}

function defaultDestination(): DestinationStream {
  if (process.stderr.isTTY)
    return pretty({ destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss.l' });
  return pino.destination({ fd: 2, sync: false });
}
