/**
 * The consumer side of a queue hop: a CONSUMER span (`process <queue>`)
 * under the trace context the producer put in the job, so the work a job
 * does hangs under the span that enqueued it, in whatever process runs it.
 */
import { SpanKind } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { ATTR, SPAN_NAMES } from './attributes.ts';
import { extractTraceContext } from './trace-carrier.ts';
import { withSpan } from './with-span.ts';

/** The parts of a queue job the span needs (a BullMQ Job has them all). */
export interface TracedJob {
  readonly data: unknown;
  readonly id?: string | undefined;
  readonly queueName?: string;
}

export function withJobSpan<T>(job: TracedJob, body: (span: Span) => Promise<T>): Promise<T> {
  const queue = job.queueName ?? 'unknown';
  return withSpan(
    SPAN_NAMES.process(queue),
    {
      kind: SpanKind.CONSUMER,
      parent: extractTraceContext(carrierOf(job.data)),
      attributes: {
        [ATTR.messagingSystem]: 'bullmq',
        [ATTR.messagingOperationType]: 'process',
        [ATTR.messagingDestinationName]: queue,
        ...(job.id === undefined ? {} : { [ATTR.messagingMessageId]: job.id }),
      },
    },
    body,
  );
}

function carrierOf(data: unknown): Record<string, string> | undefined {
  if (typeof data !== 'object' || data === null || !('trace' in data)) return undefined;
  const trace = (data as { trace?: unknown }).trace;
  if (typeof trace !== 'object' || trace === null) return undefined;
  const traceparent = (trace as { traceparent?: unknown }).traceparent;
  return typeof traceparent === 'string' ? { traceparent } : undefined;
}
