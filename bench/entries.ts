/**
 * The registry of `pnpm bench` entries, run in this order. Adding a benchmark
 * is one line here: a name (the key in the results file), a title, and a
 * function returning a JSON object of figures.
 */
import { benchCacheSavings } from './cache-savings.ts';
import { benchCluster } from './cluster.ts';
import { benchFanOut, benchPythonFanOut } from './fan-out.ts';
import { benchBatch, benchServeLatency } from './front-doors.ts';
import { benchCapMemory, benchQueuedSubcallBytes } from './resource-caps.ts';
import { benchPythonSessionStart, benchPythonStepLatency, benchStepLatency } from './step-latency.ts';
import { benchSubcallCost } from './subcall-cost.ts';
import { benchToolLatency } from './tool-latency.ts';
import { benchEngineOnly, benchThroughput } from './throughput.ts';
import { BENCH_ENTRY_ROUNDS, benchTracingOverhead } from './tracing-overhead.ts';

export interface BenchEntry {
  readonly name: string;
  readonly title: string;
  readonly run: () => Promise<object>;
}

const entry = (name: string, title: string, run: () => Promise<object>): BenchEntry => ({
  name,
  title,
  run,
});

export const BENCH_ENTRIES: readonly BenchEntry[] = [
  entry('fanOut', '400 llm_query at 200 ms: wall / ideal', () => benchFanOut(400, 50, 200)),
  entry('pythonFanOut', 'Python: 400 llm_query_batched at 200 ms, cap 100, next to JS at cap 100', () =>
    benchPythonFanOut(400, 100, 200),
  ),
  entry('throughput', 'sub-calls/s, simulator over HTTP', () => benchThroughput(5_000, 64)),
  entry('engineOnly', 'sub-calls/s, in-process provider', () => benchEngineOnly(5_000, 64)),
  entry('stepLatency1MB', 'REPL step, 1 MB context', () => benchStepLatency(1_000_000, 30)),
  entry('stepLatency100MB', 'REPL step, 100 MB context', () => benchStepLatency(100_000_000, 30)),
  entry('pythonStepLatency100MB', 'Python REPL step next to JavaScript, 100 MB context', () =>
    benchPythonStepLatency(100_000_000, 30),
  ),
  entry('pythonSessionStart', 'Python REPL session start (Pyodide load)', () => benchPythonSessionStart(5)),
  entry('cacheSavings', 'two questions, one corpus: cache', () => benchCacheSavings(1_000_000)),
  entry('cluster', 'Redis + 2 workers + 1 orchestrator', () => benchCluster()),
  entry('subcallCost', 'a cluster sub-call vs raw BullMQ (targets: throughput >= 0.85x, commands and Redis CPU <= 1.5x; fan-out <= 1.25x ideal)', () =>
    benchSubcallCost(),
  ),
  entry('tracingOverhead', 'tracing off vs on (OTLP to a local receiver)', () =>
    benchTracingOverhead(BENCH_ENTRY_ROUNDS),
  ),
  entry('batch', 'rlm batch documents/min, embedded vs cluster (2 workers)', () => benchBatch()),
  entry('serveLatency', 'latency rlm serve adds over a direct SDK call', () => benchServeLatency()),
  entry('queuedSubcallBytes', 'host bytes per queued sub-call (slope between 2,000 and 12,000 queued)', () =>
    benchQueuedSubcallBytes(),
  ),
  entry('toolLatency', 'one caller-tool call: embedded vs cluster (the Redis round trip to the submitter)', () =>
    benchToolLatency(),
  ),
  entry('capMemory', 'peak RSS growth of a request that hits each cap', () => benchCapMemory()),
];
