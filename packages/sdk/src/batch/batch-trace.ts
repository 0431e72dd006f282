/**
 * Tracing of a batch: one span for the whole run and, per (document, query)
 * pair, a NEW trace linked back to it. A single trace holding thousands of
 * documents would be unreadable in Jaeger; linked traces keep each document's
 * tree small while the batch span still finds them all.
 */
import { trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { ATTR, SPAN_NAMES, TRACER_NAME, withLinkedRootSpan } from '@rlm/shared';

/** Starts the batch span; the caller ends it. A no-op span when tracing is off. */
export function startBatchSpan(pairs: number): Span {
  return trace
    .getTracer(TRACER_NAME)
    .startSpan(SPAN_NAMES.batch, { root: true, attributes: { [ATTR.batchPairs]: pairs } });
}

/** Runs one pair's work as the root of its own trace, linked to the batch span. */
export function withPairTrace<T>(
  batch: Span,
  pair: { readonly id: string; readonly key: string },
  body: () => Promise<T>,
): Promise<T> {
  return withLinkedRootSpan(
    SPAN_NAMES.batchPair,
    {
      linkTo: batch.spanContext(),
      attributes: { [ATTR.batchDocumentId]: pair.id, [ATTR.batchPairKey]: pair.key },
    },
    body,
  );
}
