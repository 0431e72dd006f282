/**
 * Figures for `rlm batch` and `rlm serve`: `pnpm bench` runs them as entries;
 * `pnpm bench:front-doors` alone writes bench/results/front-doors.json.
 *   - batch throughput (documents per minute) against the simulator at a
 *     realistic latency, embedded versus a local cluster (Redis, 2 workers,
 *     1 orchestrator), same documents, same concurrency
 *   - the server's added latency per request: the same request through
 *     `rlm serve` (plain fetch, non-streaming) versus the SDK called directly
 *     (zero-latency simulator, so the difference is the server's own cost)
 * Every process runs on this machine; figures are not asserted anywhere.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { itemsFromTexts, RLM, runBatch } from '@rlm/sdk';
import { generateTask } from '@rlm/sim';
import { startClusterProcess } from '../test/support/cluster-processes.ts';
import type { ClusterProcess } from '../test/support/cluster-processes.ts';
import { freePort } from '../test/support/free-port.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { startServeProcess } from '../test/support/serve-process.ts';
import { machineInfo } from './machine-info.ts';

const MAIN = path.resolve(import.meta.dirname, '../packages/cli/src/main.ts');
const DOCUMENTS = 40;
const DOCUMENT_CHARS = 40_000;
const BATCH_CONCURRENCIES = [8, 32] as const;
/** Time to first token and per output token of the "realistic" simulator: a fast hosted model. */
const FIRST_TOKEN_MS = 400;
const PER_TOKEN_MS = 4;
const LATENCY_REQUESTS = 40;

const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

async function startSim(
  latencyMs: number,
  perTokenMs: number,
): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--no-node-snapshot',
      MAIN,
      'sim',
      '--port',
      String(port),
      '--latency-ms',
      String(latencyMs),
      '--per-token-ms',
      String(perTokenMs),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  for (let attempt = 0; ; attempt += 1) {
    try {
      if ((await fetch(`${baseUrl}/models`)).ok) break;
    } catch {
      if (attempt > 300) throw new Error('the simulator did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    baseUrl,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function documents(): ReturnType<typeof itemsFromTexts> {
  return itemsFromTexts(
    Array.from({ length: DOCUMENTS }, (_, index) => ({
      id: `doc-${index}`,
      text: generateTask('needle', { seed: index, contextChars: DOCUMENT_CHARS }).context,
    })),
  );
}

interface BatchRate {
  readonly concurrency: number;
  readonly documents: number;
  readonly seconds: number;
  readonly documentsPerMinute: number;
  readonly failed: number;
}

async function batchRate(rlm: RLM, concurrency: number): Promise<BatchRate> {
  const query = generateTask('needle', { seed: 0, contextChars: DOCUMENT_CHARS }).query;
  const started = performance.now();
  let failed = 0;
  for await (const record of runBatch({ rlm, items: documents(), queries: [query], concurrency })) {
    if (record.error !== null) failed += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    concurrency,
    documents: DOCUMENTS,
    seconds: round(seconds),
    documentsPerMinute: round((DOCUMENTS / seconds) * 60),
    failed,
  };
}

async function ratesOf(mode: string, rlm: RLM): Promise<BatchRate[]> {
  const rates: BatchRate[] = [];
  for (const concurrency of BATCH_CONCURRENCIES) {
    log(`batch ${mode}: ${DOCUMENTS} documents x 1 query, concurrency ${concurrency}`);
    const rate = await batchRate(rlm, concurrency);
    log(`  ${rate.documentsPerMinute} documents/min`);
    rates.push(rate);
  }
  return rates;
}

export async function benchBatch(): Promise<Record<string, unknown>> {
  const sim = await startSim(FIRST_TOKEN_MS, PER_TOKEN_MS);
  try {
    const embedded = await ratesOf(
      'embedded',
      new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', env: {} }),
    );
    const redis = await startRedisServer();
    const prefix = `f${randomUUID().slice(0, 8)}`;
    const processes: ClusterProcess[] = [];
    const client = new RLM({
      redisUrl: redis.url,
      redisPrefix: prefix,
      model: 'sim-large',
      env: {},
    });
    try {
      const options = {
        redisUrl: redis.url,
        prefix,
        baseUrl: sim.baseUrl,
        extraArgs: ['--lock-ms', '30000'],
      };
      processes.push(
        ...(await Promise.all([
          startClusterProcess('worker', options),
          startClusterProcess('worker', options),
          startClusterProcess('orchestrator', options),
        ])),
      );
      const cluster = await ratesOf('cluster (redis-server, 2 workers, 1 orchestrator)', client);
      return {
        simulator: {
          firstTokenMs: FIRST_TOKEN_MS,
          perOutputTokenMs: PER_TOKEN_MS,
          policy: 'solver',
        },
        documentChars: DOCUMENT_CHARS,
        embedded,
        cluster,
      };
    } finally {
      await client.close();
      await Promise.all(processes.map((process_) => process_.kill('SIGKILL')));
      await redis.stop();
    }
  } finally {
    await sim.stop();
  }
}

export async function benchServeLatency(): Promise<Record<string, unknown>> {
  const sim = await startSim(0, 0);
  const serve = await startServeProcess(['--base-url', sim.baseUrl]);
  try {
    const task = generateTask('needle', { seed: 1, contextChars: 20_000 });
    const rlm = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', env: {} });
    const body = JSON.stringify({
      model: 'rlm:sim-large',
      messages: [
        { role: 'user', content: task.context },
        { role: 'user', content: task.query },
      ],
    });
    const direct: number[] = [];
    const served: number[] = [];
    // Interleaved, after a warm-up of each, so both paths see the same machine load.
    for (let index = -2; index < LATENCY_REQUESTS; index += 1) {
      let started = performance.now();
      await rlm.completion(task.context, task.query);
      if (index >= 0) direct.push(performance.now() - started);
      started = performance.now();
      const response = await fetch(`${serve.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      if (!response.ok) throw new Error(`rlm serve answered ${response.status}`);
      await response.json();
      if (index >= 0) served.push(performance.now() - started);
    }
    const directMedian = median(direct);
    const servedMedian = median(served);
    log(
      `serve: median ${round(servedMedian)} ms through the server vs ${round(directMedian)} ms direct`,
    );
    return {
      requests: LATENCY_REQUESTS,
      contextChars: 20_000,
      directMedianMs: round(directMedian),
      servedMedianMs: round(servedMedian),
      addedMedianMs: round(servedMedian - directMedian),
      directP90Ms: round(percentile(direct, 0.9)),
      servedP90Ms: round(percentile(served, 0.9)),
    };
  } finally {
    await serve.stop();
    await sim.stop();
  }
}

function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

function percentile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? 0;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

// Run alone (`pnpm bench:front-doors`); `pnpm bench` runs both parts as entries.
if (import.meta.main) {
  const batch = await benchBatch();
  const serveLatency = await benchServeLatency();
  const report = {
    command: 'pnpm bench:front-doors',
    at: new Date().toISOString(),
    machine: machineInfo(),
    batch,
    serveLatency,
  };
  const out = path.join(import.meta.dirname, 'results', 'front-doors.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  log(`written to ${path.relative(process.cwd(), out)}`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
