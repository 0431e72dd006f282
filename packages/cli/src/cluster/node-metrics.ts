/**
 * The Prometheus series of a cluster process: jobs, GenAI client metrics
 * (OpenTelemetry GenAI names rendered Prometheus-style), sandbox resets and
 * queue depths / ages. One place that knows the names and labels.
 */
import { PROVIDER_NAME } from '@rlm/shared';
import type { LlmCallOutcome, StepResult } from '@rlm/shared';
import type { Backlog } from '@rlm/redis';
import type { LlmCallObservation } from '@rlm/worker';
import type { MetricsRegistry } from './metrics-registry.ts';

/** The GenAI conventions' advisory buckets: tokens in powers of 4, seconds doubling from 10 ms. */
const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
const DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

export interface NodeMetrics {
  /** A job this process finished; `value` is its outcome's value when it succeeded. */
  jobDone(queue: string, ok: boolean, seconds: number, value: unknown): void;
  /** One provider request of the LLM gateway (cache hits never reach it). */
  providerCall(observation: LlmCallObservation): void;
  /** Queue gauges: jobs by state (every BullMQ state) and the backlog reading (ages, total). */
  queues(counts: ReadonlyMap<string, Readonly<Record<string, number>>>, backlog: Backlog): void;
}

export function createNodeMetrics(metrics: MetricsRegistry): NodeMetrics {
  const jobsDone = metrics.counter(
    'rlm_jobs_processed_total',
    'Jobs this process finished, by queue and outcome.',
  );
  const jobSeconds = metrics.histogram(
    'rlm_job_duration_seconds',
    'Wall time of jobs this process ran, by queue (queue="llm": LLM call latency).',
  );
  const tokens = metrics.counter(
    'rlm_llm_tokens_total',
    'Tokens of LLM calls this process made, by type.',
  );
  const cacheHits = metrics.counter(
    'rlm_subcall_cache_hits_total',
    'Sub-calls answered from the result cache or a joined call.',
  );
  const tokenUsage = metrics.histogram(
    'gen_ai_client_token_usage',
    'GenAI: tokens per provider request (gen_ai.client.token.usage), by token type.',
    TOKEN_BUCKETS,
  );
  const operationSeconds = metrics.histogram(
    'gen_ai_client_operation_duration_seconds',
    'GenAI: duration of provider requests (gen_ai.client.operation.duration), seconds.',
    DURATION_BUCKETS,
  );
  const sandboxTimeouts = metrics.counter(
    'rlm_sandbox_timeouts_total',
    'REPL steps whose isolate was disposed by the wall-clock watchdog.',
  );
  const sandboxMemoryKills = metrics.counter(
    'rlm_sandbox_memory_kills_total',
    'REPL steps whose isolate hit its memory limit.',
  );
  const queueJobs = metrics.gauge('rlm_queue_jobs', 'Jobs in each queue by state.');
  const queueAge = metrics.gauge(
    'rlm_queue_oldest_age_seconds',
    'Age of the oldest waiting job of each queue, seconds.',
  );
  const backlogTotal = metrics.gauge(
    'rlm_queue_backlog',
    'Jobs not started yet across every queue (waiting + prioritized + delayed + paused).',
  );

  return {
    jobDone(queue, ok, seconds, value) {
      jobSeconds({ queue }, seconds);
      jobsDone({ queue, outcome: ok ? 'ok' : 'error' });
      if (!ok) return;
      if (queue === 'llm') {
        const call = value as LlmCallOutcome;
        if (call.cacheHit) return cacheHits();
        tokens({ type: 'input' }, call.response.usage.inputTokens);
        tokens({ type: 'output' }, call.response.usage.outputTokens);
        tokens({ type: 'cached_input' }, call.response.usage.cachedInputTokens);
      } else if (queue.startsWith('step-')) {
        const reset = (value as StepResult).reset;
        if (reset === 'timeout') sandboxTimeouts();
        if (reset === 'memory') sandboxMemoryKills();
      }
    },
    providerCall(observation) {
      const labels = {
        gen_ai_operation_name: 'chat',
        gen_ai_provider_name: PROVIDER_NAME,
        gen_ai_request_model: observation.model,
      };
      operationSeconds(
        observation.errorType === undefined
          ? labels
          : { ...labels, error_type: observation.errorType },
        observation.durationSeconds,
      );
      if (observation.usage === undefined) return;
      tokenUsage({ ...labels, gen_ai_token_type: 'input' }, observation.usage.inputTokens);
      tokenUsage({ ...labels, gen_ai_token_type: 'output' }, observation.usage.outputTokens);
    },
    queues(counts, backlog) {
      for (const [queue, byState] of counts) {
        for (const [state, count] of Object.entries(byState)) queueJobs({ queue, state }, count);
      }
      backlogTotal({}, backlog.backlog);
      for (const [queue, reading] of Object.entries(backlog.queues))
        queueAge({ queue }, reading.oldestWaitingAgeSeconds);
    },
  };
}
