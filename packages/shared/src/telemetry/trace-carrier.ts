/**
 * Trace context across the queue: the W3C `traceparent` of the active span,
 * written into a plain string record that rides in a job payload, and read
 * back on the consumer side. Written by hand (a dozen lines) rather than via
 * the global propagator so that it works whether or not a process registered
 * one.
 */
import { context, isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';
import type { Context, SpanContext } from '@opentelemetry/api';

/** What a job carries: `{traceparent: "00-<trace id>-<span id>-<flags>"}`. */
export type TraceCarrier = Record<string, string>;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The active span's context as a carrier; undefined when no span records (tracing off). */
export function injectTraceContext(from: Context = context.active()): TraceCarrier | undefined {
  const spanContext = trace.getSpanContext(from);
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return undefined;
  return { traceparent: formatTraceparent(spanContext) };
}

/** A context whose parent is the carrier's span; the root context for a missing or malformed carrier. */
export function extractTraceContext(
  carrier: Readonly<Record<string, string>> | undefined,
  into: Context = context.active(),
): Context {
  const spanContext = parseTraceparent(carrier?.traceparent);
  return spanContext === undefined ? into : trace.setSpanContext(into, spanContext);
}

export function formatTraceparent(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  const match = value === undefined ? null : TRACEPARENT.exec(value);
  if (match === null) return undefined;
  const [, traceId = '', spanId = '', flags = '00'] = match;
  const spanContext: SpanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16),
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}
