/**
 * Synthetic instances from the simulator's generators (RULER-style needle,
 * OOLONG-style aggregation, OOLONG-Pairs), sized in tokens. Generators take a
 * size in characters, so each family's characters-per-token ratio is measured
 * once on a sample and used to aim at the requested token count.
 */
import { countTokens, hashValue } from '@rlm/shared';
import { generateTask, type SyntheticTask, type TaskFamily } from '@rlm/sim';
import type { EvalInstance, GraderName } from '../types.ts';

export type SyntheticTaskName = 'niah' | 'oolong' | 'pairs';
export const SYNTHETIC_TASKS: readonly SyntheticTaskName[] = ['niah', 'oolong', 'pairs'];

const FAMILY: Record<SyntheticTaskName, TaskFamily> = {
  niah: 'needle',
  oolong: 'oolong',
  pairs: 'pairs',
};

/** Characters generated to measure a family's characters per token. */
const CALIBRATION_CHARS = 40_000;
const ratios = new Map<TaskFamily, number>();

function charsPerToken(family: TaskFamily): number {
  let ratio = ratios.get(family);
  if (ratio === undefined) {
    const sample = generateTask(family, { seed: 1, contextChars: CALIBRATION_CHARS }).context;
    ratio = sample.length / countTokens(sample);
    ratios.set(family, ratio);
  }
  return ratio;
}

/** The seed of one instance: independent of the methods and of the other instances. */
export function instanceSeed(
  seed: number,
  task: string,
  lengthTokens: number,
  index: number,
): number {
  return Number.parseInt(hashValue({ seed, task, lengthTokens, index }).slice(0, 8), 16);
}

export function syntheticInstance(
  task: SyntheticTaskName,
  lengthTokens: number,
  index: number,
  seed: number,
): EvalInstance {
  const family = FAMILY[task];
  const instanceSeedValue = instanceSeed(seed, task, lengthTokens, index);
  const generated = generateTask(family, {
    seed: instanceSeedValue,
    contextChars: Math.round(lengthTokens * charsPerToken(family)),
  });
  return {
    id: `${task}/${lengthTokens}/${index}`,
    task,
    lengthTokens,
    contextTokens: countTokens(generated.context),
    seed: instanceSeedValue,
    context: generated.context,
    query: generated.query,
    expected: generated.expectedAnswerText,
    grader: graderOf(generated),
  };
}

function graderOf(task: SyntheticTask): GraderName {
  switch (task.family) {
    case 'needle':
      return 'contains';
    case 'oolong':
      return typeof task.answer === 'number' ? 'numeric' : 'exact';
    case 'pairs':
      return 'pairs';
  }
}
