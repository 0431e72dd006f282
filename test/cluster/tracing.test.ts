/**
 * Tracing across real processes: the SDK (this process, rlm-cli), an
 * orchestrator and two workers export OTLP http/json to a receiver started
 * here. One depth-2 request must be one trace and one tree, spanning several
 * services, with no secret in any exported byte.
 */
import { SpanKind } from '@opentelemetry/api';
import { createRedisClient, QueueSet } from '@rlm/redis';
import type { Backlog } from '@rlm/redis';
import { startTelemetry } from '@rlm/telemetry';
import type { Telemetry } from '@rlm/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childAndLeaf } from '../support/scripted-tree.ts';
import { opsGet } from '../support/cluster-processes.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver.ts';
import { startClusterFixture } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

const API_KEY = 'sk-cluster-secret-9f3e1c';

let cluster: ClusterFixture;
let receiver: OtlpReceiver;
let telemetry: Telemetry;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  cluster = await startClusterFixture({
    policy: {
      type: 'scripted',
      replies: childAndLeaf(),
    },
  });
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OPENAI_API_KEY: API_KEY,
  };
  telemetry = startTelemetry({ serviceName: 'rlm-cli', env });
  await Promise.all([
    cluster.start('worker', [], env),
    cluster.start('worker', [], env),
    cluster.start('orchestrator', [], env),
  ]);
}, 60_000);
afterAll(async () => {
  await telemetry.shutdown();
  await cluster.stop();
  await receiver.close();
});

describe('tracing across the cluster', () => {
  it('exports one request as one trace and one tree from several services, without secrets', async () => {
    const client = cluster.client({ maxDepth: 2, apiKey: API_KEY });
    const result = await client.completion('the context', 'the question');
    expect(result.answer).toBe('root>leaf answer');
    const workers = cluster.processes.filter((process_) => process_.role === 'worker');
    const metrics = (await Promise.all(workers.map((worker) => opsGet(worker.opsPort, '/metrics'))))
      .map((reply) => reply.body)
      .join('\n');
    const sampleSum = (pattern: RegExp) =>
      [...metrics.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
    expect(
      sampleSum(/gen_ai_client_token_usage_count\{[^}]*gen_ai_token_type="input"[^}]*\} (\d+)/g),
    ).toBe(3);
    expect(sampleSum(/gen_ai_client_operation_duration_seconds_count\{[^}]*\} (\d+)/g)).toBe(3);
    expect(
      sampleSum(/gen_ai_client_token_usage_sum\{[^}]*gen_ai_token_type="input"[^}]*\} (\d+)/g),
    ).toBe(result.usage.inputTokens);
    // A graceful stop flushes each process's buffered spans: after it, everything has arrived.
    for (const process_ of cluster.processes) expect(await process_.kill('SIGTERM')).toBe(0);
    await telemetry.flush();

    const trace = receiver.spans.filter((span) => span.traceId === result.traceId);
    expect(trace.length).toBeGreaterThan(0);
    const root = trace.filter((span) => span.parentSpanId === '');
    expect(root.map((span) => span.name)).toEqual(['rlm request']);
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    for (const span of trace)
      if (span.parentSpanId !== '')
        expect(byId.has(span.parentSpanId), `parent of ${span.name}`).toBe(true);
    // Everything exported belongs to this request's trace (no orphan traces from the same work).
    expect(new Set(receiver.spans.map((span) => span.traceId))).toEqual(new Set([result.traceId]));

    const services = new Set(trace.map((span) => span.service));
    expect(services).toEqual(new Set(['rlm-cli', 'rlm-orchestrator', 'rlm-worker']));
    const count = (name: string) => trace.filter((span) => span.name === name).length;
    expect({
      request: count('rlm request'),
      sessions: count('invoke_agent rlm'),
      iterations: count('iteration 1'),
      chats: count('chat sim-large') + count('chat sim-small'),
      steps: count('execute_tool repl'),
      subcalls: count('rlm_query') + count('llm_query'),
      sends: trace.filter((span) => span.kind === SpanKind.PRODUCER + 1).length,
      processes: trace.filter((span) => span.kind === SpanKind.CONSUMER + 1).length,
    }).toEqual({
      request: 1,
      sessions: 2,
      iterations: 2,
      chats: 3,
      steps: 2,
      subcalls: 2,
      sends: 7,
      processes: 7,
    });
    expect(trace).toHaveLength(26);

    // Each consumer span hangs under the producer span of its job, in another process.
    for (const consumer of trace.filter((span) => span.kind === SpanKind.CONSUMER + 1)) {
      const producer = byId.get(consumer.parentSpanId) as ReceivedSpan;
      expect(producer.kind).toBe(SpanKind.PRODUCER + 1);
      expect(producer.attributes['messaging.destination.name']).toBe(
        consumer.attributes['messaging.destination.name'],
      );
    }
    const chat = trace.find((span) => span.name === 'chat sim-large');
    expect(chat?.service).toBe('rlm-worker');
    expect(chat?.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);

    const exported = Buffer.concat(receiver.bodies).toString('utf8');
    expect(exported).not.toContain(API_KEY);
    expect(exported).not.toContain('the leaf prompt');
  }, 120_000);

  it('serves /backlog: jobs nobody has started, per queue', async () => {
    // The processes of the first test are stopped: a job added now waits, and a fresh worker reports it.
    const worker = await cluster.start('worker');
    const connection = createRedisClient(cluster.redis.url, 'bullmq');
    const queues = new QueueSet({ connection, prefix: `{${cluster.prefix}}` });
    try {
      await queues.session(0).add('session-d0', { waiting: true });
      const backlog = JSON.parse((await opsGet(worker.opsPort, '/backlog')).body) as Backlog;
      expect(backlog.backlog).toBe(1);
      expect(backlog.queues['session-d0']).toMatchObject({
        waiting: 1,
        prioritized: 0,
        delayed: 0,
        paused: 0,
        active: 0,
      });
      expect(backlog.queues['session-d0']?.oldestWaitingAgeSeconds).toBeGreaterThanOrEqual(0);
      expect(backlog.queues['llm']).toEqual({
        waiting: 0,
        prioritized: 0,
        delayed: 0,
        paused: 0,
        active: 0,
        oldestWaitingAgeSeconds: 0,
      });
      const metrics = (await opsGet(worker.opsPort, '/metrics')).body;
      expect(metrics).toMatch(/rlm_queue_backlog 1/);
      expect(metrics).toMatch(/rlm_queue_jobs\{queue="session-d0",state="waiting"\} 1/);
      expect(metrics).toMatch(/rlm_queue_oldest_age_seconds\{queue="session-d0"\} \d/);
    } finally {
      await queues.close();
      connection.disconnect();
    }
  }, 60_000);
});
