/**
 * `pnpm bench`: the engine benchmarks, written to bench/results/latest.json
 * with the machine, the commit and the command. Figures are measurements of
 * this machine; they are not asserted anywhere.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { benchCluster } from './cluster.ts';
import { benchFanOut } from './fan-out.ts';
import { machineInfo } from './machine-info.ts';
import { benchStepLatency } from './step-latency.ts';
import { benchEngineOnly, benchThroughput } from './throughput.ts';

const FAN_OUT_SUBCALLS = 400;
const FAN_OUT_CONCURRENCY = 50;
const FAN_OUT_LATENCY_MS = 200;
const THROUGHPUT_SUBCALLS = 5_000;
const THROUGHPUT_CONCURRENCY = 64;

async function main(): Promise<void> {
  const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
  log(`fan-out: ${FAN_OUT_SUBCALLS} llm_query at ${FAN_OUT_LATENCY_MS} ms, concurrency ${FAN_OUT_CONCURRENCY}`);
  const fanOut = await benchFanOut(FAN_OUT_SUBCALLS, FAN_OUT_CONCURRENCY, FAN_OUT_LATENCY_MS);
  log(`  ratio to ideal critical path: ${fanOut.ratio} (${fanOut.measuredMs} ms vs ${fanOut.idealMs} ms)`);

  log(`throughput: ${THROUGHPUT_SUBCALLS} sub-calls, zero-latency simulator, concurrency ${THROUGHPUT_CONCURRENCY}`);
  const throughput = await benchThroughput(THROUGHPUT_SUBCALLS, THROUGHPUT_CONCURRENCY);
  log(`  ${throughput.subcallsPerSecond} sub-calls/s (simulator in its own process, over HTTP)`);
  const engineOnly = await benchEngineOnly(THROUGHPUT_SUBCALLS, THROUGHPUT_CONCURRENCY);
  log(`  ${engineOnly.subcallsPerSecond} sub-calls/s (in-process provider: the engine without HTTP)`);

  const stepLatency = [];
  for (const chars of [1_000_000, 100_000_000]) {
    log(`step latency: ${chars.toLocaleString('en-US')}-character context`);
    const result = await benchStepLatency(chars, 30);
    log(`  median step ${result.medianStepMs} ms (create ${result.createMs} ms)`);
    stepLatency.push(result);
  }
  log('cluster: redis-server, simulator process, 2 workers + 1 orchestrator on this machine');
  const cluster = await benchCluster();
  log(`  ${cluster.throughput.subcallsPerSecond} sub-calls/s through Redis; fan-out ratio ${cluster.fanOut.ratio}; ${cluster.contextBytes.redisBytesReceived} Redis bytes for a ${cluster.contextBytes.contextChars}-char context over ${cluster.contextBytes.steps} steps`);
  const [small, large] = stepLatency;
  const report = {
    command: 'pnpm bench',
    at: new Date().toISOString(),
    machine: machineInfo(),
    fanOut,
    throughput,
    engineOnly,
    stepLatency,
    cluster,
    stepLatencyRatio100MBvs1MB: small && large ? Math.round((large.medianStepMs / small.medianStepMs) * 100) / 100 : null,
  };
  const out = path.join(import.meta.dirname, 'results', 'latest.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  log(`written to ${path.relative(process.cwd(), out)}`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

await main();
