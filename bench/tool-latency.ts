/**
 * What one caller-tool call costs, embedded versus cluster (Redis, 1 worker, 1 orchestrator):
 * a REPL step makes CALLS sequential calls of a tool that answers at once, and a step that
 * prints one line is the baseline; (step time - baseline) / CALLS is the round trip of one call
 * (isolate -> host -> handler and back; in cluster mode also worker -> Redis -> submitter and
 * back). A batch of PARALLEL calls with Promise.all shows what overlapping buys. Step times come
 * from the step-end events, so queue and model time are not in them. Nothing asserts these figures.
 */
import { randomUUID } from 'node:crypto';
import { RLM } from '@rlm/sdk';
import type { RlmEvent } from '@rlm/shared';
import { startSimServer } from '@rlm/sim';
import type { SimRequest } from '@rlm/sim';
import { isSessionTurn, repl, turnIndex } from '../test/support/engine-requests.ts';
import { startClusterProcess } from '../test/support/cluster-processes.ts';
import type { ClusterProcess } from '../test/support/cluster-processes.ts';
import { startRedisServer } from '../test/support/redis-server.ts';

const CALLS = 50;
const PARALLEL = 50;

export interface ToolLatencyFigures {
  readonly calls: number;
  readonly embedded: ModeFigures;
  readonly cluster: ModeFigures;
  /** Cluster minus embedded, per sequential call: what the Redis round trip adds. */
  readonly clusterAddsMsPerCall: number;
}

interface ModeFigures {
  readonly baselineStepMs: number;
  readonly sequentialMsPerCall: number;
  readonly parallelBatchMs: number;
}

const STEPS = [
  "print('baseline')",
  `for (let i = 0; i < ${CALLS}; i++) await echo({ i });\nprint('sequential')`,
  `await Promise.all(Array.from({ length: ${PARALLEL} }, (_, i) => echo({ i })));\nprint('parallel')`,
];

function reply(request: SimRequest): string {
  if (!isSessionTurn(request)) return 'sub-call';
  const step = STEPS[turnIndex(request)];
  return step === undefined ? 'FINAL(done)' : repl(step);
}

const tools = {
  echo: { description: 'Returns its argument.', parameters: { type: 'object' }, handler: (args: unknown) => args },
};

async function measure(rlm: RLM): Promise<ModeFigures> {
  // One warm-up request: isolate pools, connections and JIT.
  await rlm.completion('ctx', `warm-up ${randomUUID()}`);
  const durations: number[] = [];
  const result = await rlm.completion('ctx', `measure ${randomUUID()}`, {
    onEvent: (event: RlmEvent) => {
      if (event.type === 'step-end') durations.push(event.durationMs);
    },
  });
  if (result.stopReason !== 'final' || durations.length !== STEPS.length) throw new Error(`tool latency run ended ${result.stopReason}`);
  const [baseline = 0, sequential = 0, parallel = 0] = durations;
  return {
    baselineStepMs: round(baseline),
    sequentialMsPerCall: round((sequential - baseline) / CALLS),
    parallelBatchMs: round(parallel - baseline),
  };
}

export async function benchToolLatency(): Promise<ToolLatencyFigures> {
  const sim = await startSimServer({ policy: { type: 'scripted', replies: reply } });
  const redis = await startRedisServer();
  const processes: ClusterProcess[] = [];
  const embedded = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', env: {}, tools });
  const prefix = `b${randomUUID().slice(0, 8)}`;
  const cluster = new RLM({ redisUrl: redis.url, redisPrefix: prefix, model: 'sim-large', env: {}, tools });
  try {
    const embeddedFigures = await measure(embedded);
    const options = { redisUrl: redis.url, prefix, baseUrl: sim.baseUrl };
    processes.push(...(await Promise.all([startClusterProcess('worker', options), startClusterProcess('orchestrator', options)])));
    const clusterFigures = await measure(cluster);
    return {
      calls: CALLS,
      embedded: embeddedFigures,
      cluster: clusterFigures,
      clusterAddsMsPerCall: round(clusterFigures.sequentialMsPerCall - embeddedFigures.sequentialMsPerCall),
    };
  } finally {
    await cluster.close();
    await Promise.all(processes.map((process_) => process_.kill('SIGKILL')));
    await redis.stop();
    await sim.close();
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
