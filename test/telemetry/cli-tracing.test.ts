/**
 * `rlm run` with an OTLP endpoint: the process exports as rlm-cli (protobuf by
 * default, JSON here so the test can read it), and `--json`'s traceId names
 * the exported trace.
 */
import { startSimServer } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSessionTurn, repl } from '../support/engine-requests.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';
import { runCli } from '../support/run-cli.ts';

let sim: SimServer;
let receiver: OtlpReceiver;
beforeAll(async () => {
  sim = await startSimServer({
    policy: {
      type: 'scripted',
      replies: (request) =>
        isSessionTurn(request) ? repl(`FINAL(await llm_query('hi'))`) : 'hello',
    },
  });
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
  await sim.close();
});

describe('rlm run with tracing', () => {
  it('exports its spans as rlm-cli and reports the trace id', async () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OPENAI_API_KEY: 'sk-cli-secret-2718',
    };
    const result = await runCli(
      [
        'run',
        '--context',
        '-',
        '--query',
        'q',
        '--base-url',
        sim.baseUrl,
        '--model',
        'sim-large',
        '--json',
      ],
      env,
      'ctx',
    );
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { answer: string; traceId: string };
    expect(output.answer).toBe('hello');
    // The process flushed before exiting: every span is here.
    const trace = receiver.spans.filter((span) => span.traceId === output.traceId);
    expect(trace.map((span) => span.name).sort()).toEqual(
      [
        'rlm request',
        'invoke_agent rlm',
        'iteration 1',
        'chat sim-large',
        'execute_tool repl',
        'llm_query',
        'chat sim-large',
      ].sort(),
    );
    expect(new Set(trace.map((span) => span.service))).toEqual(new Set(['rlm-cli']));
    expect(Buffer.concat(receiver.bodies).toString('utf8')).not.toContain('sk-cli-secret-2718');
  });
});
