import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics-registry.ts';
import { createNodeMetrics } from './node-metrics.ts';

const step = (reset?: 'timeout' | 'memory' | 'cancelled') => ({
  output: '',
  outputTotalChars: 0,
  variables: [],
  pendingAwaited: 0,
  durationMs: 1,
  ...(reset === undefined ? {} : { reset }),
});

describe('node metrics', () => {
  it('renders GenAI histograms from provider calls, failures labelled by error type', () => {
    const registry = new MetricsRegistry();
    const metrics = createNodeMetrics(registry);
    metrics.providerCall({
      model: 'gpt-x',
      durationSeconds: 0.3,
      usage: { inputTokens: 100, outputTokens: 5, cachedInputTokens: 0 },
    });
    metrics.providerCall({ model: 'gpt-x', durationSeconds: 1.5, errorType: 'llm_http' });
    const text = registry.render();
    const labels =
      'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-x"';
    expect(text).toContain(
      `gen_ai_client_token_usage_bucket{${labels},gen_ai_token_type="input",le="256"} 1`,
    );
    // Every bucket is rendered, cumulative (Prometheus' exposition format): none below the value.
    expect(text).toContain(
      `gen_ai_client_token_usage_bucket{${labels},gen_ai_token_type="input",le="64"} 0`,
    );
    expect(text).toContain(
      `gen_ai_client_token_usage_bucket{${labels},gen_ai_token_type="input",le="1024"} 1`,
    );
    expect(text).toContain(`gen_ai_client_token_usage_bucket{${labels},gen_ai_token_type="input",le="+Inf"} 1`);
    expect(text).toContain(
      `gen_ai_client_token_usage_sum{${labels},gen_ai_token_type="input"} 100`,
    );
    expect(text).toContain(`gen_ai_client_token_usage_sum{${labels},gen_ai_token_type="output"} 5`);
    expect(text).toContain(`gen_ai_client_operation_duration_seconds_count{${labels}} 1`);
    expect(text).toContain(
      `gen_ai_client_operation_duration_seconds_count{error_type="llm_http",${labels}} 1`,
    );
  });

  it('counts sandbox timeouts and memory kills from step outcomes', () => {
    const registry = new MetricsRegistry();
    const metrics = createNodeMetrics(registry);
    metrics.jobDone('step-d0', true, 0.1, step('timeout'));
    metrics.jobDone('step-d1', true, 0.1, step('memory'));
    metrics.jobDone('step-d1', true, 0.1, step('memory'));
    metrics.jobDone('step-d0', true, 0.1, step());
    const text = registry.render();
    expect(text).toMatch(/^rlm_sandbox_timeouts_total 1$/m);
    expect(text).toMatch(/^rlm_sandbox_memory_kills_total 2$/m);
    expect(text).toContain('rlm_jobs_processed_total{outcome="ok",queue="step-d0"} 2');
  });
});
