/**
 * The one way the engine opens spans. It uses the global tracer of
 * @opentelemetry/api: with no provider registered (no OTLP endpoint) that
 * tracer is a no-op, so call sites never branch and tracing costs a few
 * allocations. A process turns tracing on by registering a provider
 * (`startTelemetry` in @rlm/telemetry).
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Link, Span } from '@opentelemetry/api';
import { isRlmError } from '../errors.ts';
import { ATTR } from './attributes.ts';

export const TRACER_NAME = 'rlm';

export interface WithSpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  readonly links?: Link[];
  /** The parent context; the active context when absent. */
  readonly parent?: Context;
  /** Start a new trace (the span has no parent; use links to relate it). */
  readonly root?: boolean;
}

/**
 * Runs `body` inside a new active span and ends the span when `body` settles.
 * A thrown error marks the span: status ERROR and `error.type` (the RlmError
 * code or the error's name). The message is left out on purpose: provider
 * errors can echo request content.
 */
export async function withSpan<T>(
  name: string,
  options: WithSpanOptions,
  body: (span: Span) => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer(TRACER_NAME);
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
      ...(options.links === undefined ? {} : { links: options.links }),
      ...(options.root === true ? { root: true } : {}),
    },
    parent,
    async (span) => {
      try {
        return await body(span);
      } catch (error) {
        markError(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Marks a span as failed without ending it: `error.type` and status ERROR. */
export function markError(span: Span, error: unknown): void {
  const type = errorType(error);
  span.setAttribute(ATTR.errorType, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/** The `error.type` of a failure: the RlmError code, else the error's class name. */
export function errorType(error: unknown): string {
  if (isRlmError(error)) return error.code;
  if (error instanceof Error) return error.name;
  return '_OTHER';
}
