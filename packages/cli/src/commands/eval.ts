/**
 * `rlm eval`: the evaluation harness (@rlm/eval) from the command line. A thin
 * wrapper: parses flags, starts the simulator in-process when no endpoint is
 * configured (as `rlm demo` does), runs, and says where the report went.
 */
import path from 'node:path';
import { parseFlags } from '../strict-flags.ts';
import { evaluate, formatTokens, METHOD_NAMES, SYNTHETIC_TASKS } from '@rlm/eval';
import type { SolverPolicyOptions } from '@rlm/sim';
import type { CommandIo } from '../command-io.ts';
import { embeddedEndpoint } from '../embedded-endpoint.ts';
import { ENGINE_FLAG_OPTIONS } from '../engine-flags.ts';
import { numberFlag } from '../number-flag.ts';
import { listFlag, parseLength, withoutSecrets } from '../eval-flags.ts';
import { usageError } from '../usage-error.ts';

export const EVAL_USAGE = `rlm eval [--tasks niah,oolong,pairs] [--task-file FILE.jsonl]... [--lengths 8k,64k,1M]
         [--methods rlm,rlm-no-subcalls,direct] [--instances N] [--seed S] [--out DIR]
         [--context-window TOKENS] [model and budget flags of rlm run]
         simulator only: [--sim-label-error R] [--sim-subcall-error R] [--sim-program-error R]
         [--sim-slow-program R] [--sim-latency-ms MS]`;

const EVAL_FLAGS = {
  ...ENGINE_FLAG_OPTIONS,
  tasks: { type: 'string', default: SYNTHETIC_TASKS.join(',') },
  'task-file': { type: 'string', multiple: true },
  lengths: { type: 'string', default: '8k,32k,128k' },
  methods: { type: 'string', default: METHOD_NAMES.join(',') },
  instances: { type: 'string', default: '2' },
  seed: { type: 'string', default: '1' },
  out: { type: 'string', default: 'eval-results' },
  // 128k tokens: the common window of current models, and the paper's point where direct calls give out.
  'context-window': { type: 'string', default: '131072' },
  'sim-label-error': { type: 'string', default: '0' },
  'sim-subcall-error': { type: 'string', default: '0' },
  'sim-program-error': { type: 'string', default: '0' },
  'sim-slow-program': { type: 'string', default: '0' },
  // 50 ms to first token, 1 ms per output token: some latency to show, small enough for CI.
  'sim-latency-ms': { type: 'string', default: '50' },
} as const;

export async function evalCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags({ args: [...argv], options: EVAL_FLAGS, strict: true });
  const tasks = listFlag('tasks', values.tasks, SYNTHETIC_TASKS);
  const methods = listFlag('methods', values.methods, METHOD_NAMES);
  const taskFiles = values['task-file'] ?? [];
  const lengths = values.lengths.split(',').map((item) => parseLength(item.trim()));
  const instances = numberFlag('instances', values.instances, {
    min: 1,
    max: 10_000,
    integer: true,
  });
  const seed = numberFlag('seed', values.seed, { min: 0, integer: true });
  const contextWindowTokens = numberFlag('context-window', values['context-window'], {
    min: 1024,
    integer: true,
  });
  const rate = (flag: keyof typeof EVAL_FLAGS): number =>
    numberFlag(flag, values[flag], { min: 0, max: 1 });
  const solver: SolverPolicyOptions = {
    type: 'solver',
    labelErrorRate: rate('sim-label-error'),
    subcallErrorRate: rate('sim-subcall-error'),
    programErrorRate: rate('sim-program-error'),
    slowProgramRate: rate('sim-slow-program'),
    seed,
    // The simulated root sizes its chunks to the sub-model's window (about 2 characters per window token: half of it).
    chunkChars: Math.min(50_000, contextWindowTokens * 2),
  };
  const latencyMs = numberFlag('sim-latency-ms', values['sim-latency-ms'], { min: 0, max: 60_000 });
  if (tasks.length === 0 && taskFiles.length === 0)
    throw usageError('--tasks: name at least one task, or give --task-file');

  const { overrides, env, configured, sim } = await embeddedEndpoint(values, io, {
    redisRefusal: '--redis: rlm eval runs embedded',
    simulator: {
      policy: solver,
      latency: { firstTokenMs: latencyMs, perOutputTokenMs: latencyMs > 0 ? 1 : 0 },
      contextWindowTokens,
    },
  });
  try {
    if (sim !== undefined) {
      io.stderr(
        `[eval] using the simulated model at ${sim.baseUrl}: the report measures the machinery, not model quality`,
      );
    }
    const model = sim === undefined ? configured.model : 'sim-large';
    const subModel = sim === undefined ? (configured.subModel ?? configured.model) : 'sim-small';
    const outDir = path.resolve(values.out);
    const run = await evaluate({
      tasks,
      taskFiles,
      lengths,
      methods,
      instances,
      seed,
      outDir,
      contextWindowTokens,
      command: `rlm eval ${withoutSecrets(argv).join(' ')}`.trim(),
      simulator: sim !== undefined,
      ...(sim === undefined ? {} : { simulatorOptions: { ...solver, firstTokenMs: latencyMs } }),
      endpoint: {
        model,
        subModel,
        env,
        // The window the baselines are cut to (and the simulator enforces) is the RLM's too: it compacts below it.
        engineOverrides: { ...overrides, contextWindow: contextWindowTokens },
        ...(sim === undefined ? {} : { baseUrl: sim.baseUrl }),
        ...(sim === undefined && configured.baseUrl !== undefined
          ? { baseUrl: configured.baseUrl }
          : {}),
        ...(sim === undefined && configured.apiKey !== undefined
          ? { apiKey: configured.apiKey }
          : {}),
      },
      onResult: (result) =>
        io.stderr(
          `[eval] ${result.id} ${result.method}: score ${result.score.toFixed(2)}, ${result.stopReason}, ` +
            `${(result.wallMs / 1000).toFixed(2)} s, ${result.subcalls} sub-calls, $${result.costUsd.toFixed(4)}`,
        ),
    });
    io.stdout(
      `${run.results.length} results over ${formatList(lengths)} tokens; report: ${path.join(outDir, 'report.md')}`,
    );
    return 0;
  } finally {
    await sim?.close();
  }
}

function formatList(lengths: readonly number[]): string {
  return lengths.map(formatTokens).join(', ');
}
