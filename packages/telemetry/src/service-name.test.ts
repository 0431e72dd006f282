import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { withSpan } from '@rlm/shared';
import { describe, expect, it } from 'vitest';
import { startTelemetry } from './start-telemetry.ts';

describe('service.name', () => {
  async function exportedServiceName(env: Record<string, string>): Promise<unknown> {
    const exporter = new InMemorySpanExporter();
    const telemetry = startTelemetry({ serviceName: 'rlm-worker', env, exporter });
    try {
      await withSpan('probe', {}, () => Promise.resolve());
      await telemetry.flush();
      return exporter.getFinishedSpans()[0]?.resource.attributes['service.name'];
    } finally {
      await telemetry.shutdown();
    }
  }

  it('is the role by default and OTEL_SERVICE_NAME when set', async () => {
    expect(await exportedServiceName({})).toBe('rlm-worker');
    expect(await exportedServiceName({ OTEL_SERVICE_NAME: 'rlm-worker-gpu' })).toBe(
      'rlm-worker-gpu',
    );
    expect(await exportedServiceName({ OTEL_SERVICE_NAME: ' ' })).toBe('rlm-worker');
  });
});
