/**
 * `pnpm bench:tracing`: what tracing costs. The fan-out benchmark (400
 * llm_query at 200 ms, concurrency 50, simulator in its own process) and the
 * engine-only throughput run (5,000 sub-calls, in-process provider: the
 * engine's own CPU, where span overhead shows most) are measured with tracing
 * off (no endpoint: the API is a no-op) and on (OTLP http/protobuf to a local
 * receiver that reads and discards each export), alternating, several rounds;
 * medians go to bench/results/tracing-overhead.json. Besides wall time, each
 * engine-only run reports the process CPU time it used, export flush
 * included: on a shared machine CPU time is the steadier figure.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startTelemetry } from '@rlm/telemetry';
import { benchFanOut } from './fan-out.ts';
import { machineInfo } from './machine-info.ts';
import { benchEngineOnly } from './throughput.ts';

const ROUNDS = 5;
/** Rounds when run as a `pnpm bench` entry: enough for a median, short enough for the whole report. */
export const BENCH_ENTRY_ROUNDS = 3;
const FAN_OUT = { subcalls: 400, concurrency: 50, latencyMs: 200 };
const ENGINE = { subcalls: 5_000, concurrency: 64 };

interface Receiver {
  readonly endpoint: string;
  readonly stats: { requests: number; bytes: number };
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const stats = { requests: 0, bytes: 0 };
  const server = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => {
      stats.bytes += chunk.length;
    });
    request.on('end', () => {
      stats.requests += 1;
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function traced<T>(
  on: boolean,
  endpoint: string,
  run: () => Promise<T>,
): Promise<{ value: T; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const telemetry = startTelemetry({
    serviceName: 'rlm-cli',
    env: on ? { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } : {},
  });
  try {
    const value = await run();
    await telemetry.shutdown(); // the export of the run's spans counts too
    const used = process.cpuUsage(cpu);
    return { value, cpuMs: Math.round((used.user + used.system) / 1000) };
  } finally {
    await telemetry.shutdown();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Tracing off vs on, alternating for `rounds` rounds; medians and CPU per added sub-call. */
export async function benchTracingOverhead(rounds: number): Promise<Record<string, unknown>> {
  const log = (line: string): void => void process.stderr.write(`[bench:tracing] ${line}\n`);
  const receiver = await startReceiver();
  const fanOut = { off: [] as number[], on: [] as number[] };
  const engine = { off: [] as number[], on: [] as number[] };
  const engineCpu = { off: [] as number[], on: [] as number[] };
  try {
    for (let round = 1; round <= rounds; round += 1) {
      for (const mode of ['off', 'on'] as const) {
        const { value: fan } = await traced(mode === 'on', receiver.endpoint, () =>
          benchFanOut(FAN_OUT.subcalls, FAN_OUT.concurrency, FAN_OUT.latencyMs),
        );
        fanOut[mode].push(fan.measuredMs);
        const { value: throughput, cpuMs } = await traced(mode === 'on', receiver.endpoint, () =>
          benchEngineOnly(ENGINE.subcalls, ENGINE.concurrency),
        );
        engine[mode].push(throughput.subcallsPerSecond);
        engineCpu[mode].push(cpuMs);
        log(
          `round ${round} tracing ${mode}: fan-out ${fan.measuredMs} ms (ideal ${fan.idealMs}), engine-only ${throughput.subcallsPerSecond} sub-calls/s, ${cpuMs} ms CPU`,
        );
      }
    }
  } finally {
    await receiver.close();
  }
  const percent = (on: number, off: number): number => Math.round(((on - off) / off) * 1000) / 10;
  return {
    rounds,
    exporter: 'OTLP http/protobuf, BatchSpanProcessor, local receiver in the same process',
    fanOut: {
      ...FAN_OUT,
      measuredMs: fanOut,
      medianOffMs: median(fanOut.off),
      medianOnMs: median(fanOut.on),
      overheadPercent: percent(median(fanOut.on), median(fanOut.off)),
    },
    engineOnly: {
      ...ENGINE,
      subcallsPerSecond: engine,
      medianOff: median(engine.off),
      medianOn: median(engine.on),
      throughputChangePercent: percent(median(engine.on), median(engine.off)),
      cpuMs: engineCpu,
      medianCpuOffMs: median(engineCpu.off),
      medianCpuOnMs: median(engineCpu.on),
      cpuOverheadPercent: percent(median(engineCpu.on), median(engineCpu.off)),
      /** Two warm-up + measured requests per run: 2 x (sessions, turns, steps, 5,000 sub-calls with their chat spans). */
      cpuMicrosecondsPerSubcallAdded: Math.round(
        ((median(engineCpu.on) - median(engineCpu.off)) * 1000) / (2 * ENGINE.subcalls),
      ),
    },
    exported: receiver.stats,
  };
}

async function main(): Promise<void> {
  const report = {
    command: 'pnpm bench:tracing',
    at: new Date().toISOString(),
    machine: machineInfo(),
    ...(await benchTracingOverhead(ROUNDS)),
  };
  const out = path.join(import.meta.dirname, 'results', 'tracing-overhead.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`[bench:tracing] written to ${path.relative(process.cwd(), out)}\n`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

// Run alone (`pnpm bench:tracing`); `pnpm bench` runs it as an entry with fewer rounds.
if (import.meta.main) await main();
