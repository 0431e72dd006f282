import { Writable } from 'node:stream';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import {
  extractTraceContext,
  injectTraceContext,
  parseTraceparent,
  RlmError,
  withJobSpan,
  withLinkedRootSpan,
  withSpan,
} from '@rlm/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.ts';
import { startTelemetry, tracesEndpoint } from './start-telemetry.ts';
import type { Telemetry } from './start-telemetry.ts';

let exporter: InMemorySpanExporter;
let telemetry: Telemetry;
beforeEach(() => {
  exporter = new InMemorySpanExporter();
  telemetry = startTelemetry({ serviceName: 'rlm-cli', env: {}, exporter });
});
afterEach(async () => {
  await telemetry.shutdown();
});

async function finished() {
  await telemetry.flush();
  return exporter.getFinishedSpans();
}

describe('withSpan', () => {
  it('nests spans through async code and marks failures with error.type only', async () => {
    await expect(
      withSpan('outer', {}, async () => {
        await withSpan('inner', { kind: SpanKind.CLIENT }, async () => {
          await Promise.resolve();
          throw new RlmError('llm_http', 'provider said: secret-prompt-text');
        });
      }),
    ).rejects.toThrow('secret-prompt-text');
    const spans = await finished();
    const outer = spans.find((span) => span.name === 'outer');
    const inner = spans.find((span) => span.name === 'inner');
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(inner?.kind).toBe(SpanKind.CLIENT);
    expect(inner?.attributes['error.type']).toBe('llm_http');
    expect(inner?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'llm_http' });
    expect(
      JSON.stringify(spans.map((span) => [span.attributes, span.status, span.events])),
    ).not.toContain('secret-prompt-text');
  });

  it('records the service resource of the process', async () => {
    await withSpan('one', {}, () => Promise.resolve());
    const [span] = await finished();
    expect(span?.resource.attributes['service.name']).toBe('rlm-cli');
    expect(span?.resource.attributes['service.version']).toMatch(/^\d+\.\d+\.\d+/);
    expect(span?.resource.attributes['service.instance.id']).toEqual(expect.any(String));
  });
});

describe('trace carriers', () => {
  it('carry a span across a job hop: the consumer span is the producer span child', async () => {
    let carrier: Record<string, string> | undefined;
    await withSpan('send llm', { kind: SpanKind.PRODUCER }, () => {
      carrier = injectTraceContext();
      return Promise.resolve();
    });
    expect(carrier?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    // The consumer runs later, outside the producer's async context (another process in the cluster).
    await withJobSpan({ data: { v: 1, trace: carrier }, id: 'llm.x', queueName: 'llm' }, () =>
      Promise.resolve(),
    );
    const spans = await finished();
    const producer = spans.find((span) => span.name === 'send llm');
    const consumer = spans.find((span) => span.name === 'process llm');
    expect(consumer?.kind).toBe(SpanKind.CONSUMER);
    expect(consumer?.spanContext().traceId).toBe(producer?.spanContext().traceId);
    expect(consumer?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
    expect(consumer?.attributes['messaging.destination.name']).toBe('llm');
  });

  it('ignores missing and malformed carriers', () => {
    expect(parseTraceparent('00-zz-11-01')).toBeUndefined();
    expect(parseTraceparent(`00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`)).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext({ traceparent: 'garbage' }))).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext(undefined))).toBeUndefined();
  });

  it('injects nothing when no span is active', () => {
    expect(injectTraceContext()).toBeUndefined();
  });
});

describe('withLinkedRootSpan', () => {
  it('starts a new trace that links to the given span', async () => {
    await withSpan('batch', {}, async (batch) => {
      await withLinkedRootSpan(
        'document',
        { linkTo: batch.spanContext(), attributes: { 'rlm.document': 3 } },
        () => Promise.resolve(),
      );
    });
    const spans = await finished();
    const batch = spans.find((span) => span.name === 'batch');
    const document = spans.find((span) => span.name === 'document');
    expect(document?.parentSpanContext).toBeUndefined();
    expect(document?.spanContext().traceId).not.toBe(batch?.spanContext().traceId);
    expect(document?.links.map((link) => link.context.spanId)).toEqual([
      batch?.spanContext().spanId,
    ]);
    expect(document?.attributes['rlm.document']).toBe(3);
  });
});

describe('startTelemetry', () => {
  it('is off without an endpoint, and finds the traces URL from the standard variables', () => {
    expect(startTelemetry({ serviceName: 'rlm-worker', env: {} }).enabled).toBe(false);
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracesEndpoint({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b/t',
      }),
    ).toBe('http://b/t');
  });

  it('rejects an unsupported protocol with a config error', () => {
    expect(() =>
      startTelemetry({
        serviceName: 'rlm-worker',
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      }),
    ).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
  });
});

describe('createLogger', () => {
  function capture(recordContent: boolean): {
    lines: () => Record<string, unknown>[];
    logger: ReturnType<typeof createLogger>;
  } {
    let text = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString('utf8');
        done();
      },
    });
    const logger = createLogger({
      serviceName: 'rlm-worker',
      level: 'info',
      recordContent,
      destination,
    });
    return {
      logger,
      lines: () =>
        text
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Record<string, unknown>),
    };
  }

  it('stamps trace_id and span_id of the active span and redacts secrets and content', async () => {
    const { logger, lines } = capture(false);
    await withSpan('work', {}, (span) => {
      logger.info(
        {
          apiKey: 'sk-secret',
          request: { authorization: 'Bearer sk-secret', prompt: 'the prompt' },
          callId: 'c1',
        },
        'call',
      );
      expect(span.spanContext().traceId).toHaveLength(32);
      return Promise.resolve();
    });
    logger.info('outside');
    const [inside, outside] = lines();
    expect(inside).toMatchObject({
      level: 30,
      msg: 'call',
      callId: 'c1',
      service: 'rlm-worker',
      apiKey: '[redacted]',
    });
    expect(inside?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(inside?.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(inside)).not.toContain('sk-secret');
    expect(JSON.stringify(inside)).not.toContain('the prompt');
    expect(outside?.trace_id).toBeUndefined();
  });

  it('keeps error codes and hides REPL code', () => {
    const { logger, lines } = capture(false);
    logger.warn({ code: 'llm_http', err: { code: 'ECONNREFUSED' }, task: { code: 'print(secretPlan)' } }, 'failed');
    expect(lines()[0]).toMatchObject({ code: 'llm_http', err: { code: 'ECONNREFUSED' }, task: { code: '[redacted]' } });
  });

  it('keeps content fields when the user opted in, never secrets', () => {
    const { logger, lines } = capture(true);
    logger.info({ prompt: 'the prompt', apiKey: 'sk-secret' }, 'call');
    expect(lines()[0]).toMatchObject({ prompt: 'the prompt', apiKey: '[redacted]' });
  });
});
