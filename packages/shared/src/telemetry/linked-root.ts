/**
 * Runs work as a NEW trace that links back to another span instead of
 * hanging under it. Batch runs use it: each document gets its own trace
 * (one giant trace per batch is unreadable), linked to the batch's span.
 */
import type { Span, SpanContext, SpanKind } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { withSpan } from './with-span.ts';

export interface LinkedRootOptions {
  /** The span the new trace points back to (for example the batch span); no link when absent. */
  readonly linkTo?: SpanContext;
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
}

export function withLinkedRootSpan<T>(
  name: string,
  options: LinkedRootOptions,
  body: (span: Span) => Promise<T>,
): Promise<T> {
  return withSpan(
    name,
    {
      root: true,
      ...(options.kind === undefined ? {} : { kind: options.kind }),
      ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
      ...(options.linkTo === undefined ? {} : { links: [{ context: options.linkTo }] }),
    },
    body,
  );
}
