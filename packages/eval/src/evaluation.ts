/**
 * One evaluation end to end: instances (synthetic and from task files) x
 * methods, then results.json, report.md and its charts in the output folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDirectMethod } from './methods/direct-method.ts';
import type { EndpointSettings, EvalMethod } from './methods/method.ts';
import { createRlmMethod } from './methods/rlm-method.ts';
import { buildReport } from './report/markdown-report.ts';
import { runEval } from './runner.ts';
import { loadTaskFile } from './tasks/jsonl-tasks.ts';
import { syntheticInstance, type SyntheticTaskName } from './tasks/synthetic.ts';
import type {
  EvalInstance,
  EvalResults,
  EvalRunInfo,
  InstanceResult,
  MethodName,
} from './types.ts';

export interface EvaluationOptions {
  readonly tasks: readonly SyntheticTaskName[];
  readonly taskFiles: readonly string[];
  /** Context lengths in tokens for the synthetic tasks. */
  readonly lengths: readonly number[];
  readonly methods: readonly MethodName[];
  /** Instances per (synthetic task, length); task files: the first N lines. */
  readonly instances: number;
  readonly seed: number;
  readonly outDir: string;
  readonly endpoint: EndpointSettings;
  /** The direct baseline's window. */
  readonly contextWindowTokens: number;
  readonly command: string;
  readonly simulator: boolean;
  readonly simulatorOptions?: Readonly<Record<string, unknown>>;
  readonly onResult?: (result: InstanceResult) => void;
}

export async function evaluate(options: EvaluationOptions): Promise<EvalResults> {
  const fileInstances: EvalInstance[] = [];
  for (const file of options.taskFiles) {
    fileInstances.push(...(await loadTaskFile(file)).slice(0, options.instances));
  }
  const info: EvalRunInfo = {
    command: options.command,
    startedAt: new Date().toISOString(),
    endpoint: options.endpoint.baseUrl ?? 'https://api.openai.com/v1',
    simulator: options.simulator,
    model: options.endpoint.model,
    subModel: options.endpoint.subModel,
    contextWindowTokens: options.contextWindowTokens,
    seed: options.seed,
    machine: {
      cpus: os.availableParallelism(),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
    },
    ...(options.simulatorOptions === undefined
      ? {}
      : { simulatorOptions: options.simulatorOptions }),
  };
  const results = await runEval({
    instances: instancesOf(options, fileInstances),
    methods: options.methods.map((name) => createMethod(name, options)),
    ...(options.onResult === undefined ? {} : { onResult: options.onResult }),
  });
  const run: EvalResults = { info, results };
  await writeResults(options.outDir, run);
  return run;
}

/** Shortest lengths first, so a long run shows its small-size picture early. */
function* instancesOf(
  options: EvaluationOptions,
  fileInstances: readonly EvalInstance[],
): Generator<EvalInstance> {
  yield* fileInstances;
  for (const length of [...options.lengths].sort((a, b) => a - b)) {
    for (const task of options.tasks) {
      for (let index = 0; index < options.instances; index += 1) {
        yield syntheticInstance(task, length, index, options.seed);
      }
    }
  }
}

function createMethod(name: MethodName, options: EvaluationOptions): EvalMethod {
  switch (name) {
    case 'rlm':
      return createRlmMethod(options.endpoint, true);
    case 'rlm-no-subcalls':
      return createRlmMethod(options.endpoint, false);
    case 'direct':
      return createDirectMethod(options.endpoint, {
        contextWindowTokens: options.contextWindowTokens,
      });
  }
}

/** results.json, report.md and the report's SVG charts. */
export async function writeResults(outDir: string, run: EvalResults): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const report = buildReport(run);
  await writeFile(path.join(outDir, 'results.json'), `${JSON.stringify(run, null, 2)}\n`);
  await writeFile(path.join(outDir, 'report.md'), report.markdown);
  for (const [name, svg] of Object.entries(report.charts)) {
    await writeFile(path.join(outDir, name), svg);
  }
}
