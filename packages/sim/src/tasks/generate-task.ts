/** One entry point over the task families, for the CLI demo, benchmarks and tests. */
import { assertNever } from '@rlm/shared';
import { generateNeedleTask, gradeNeedleAnswer, type NeedleTask } from './needle.ts';
import { generateOolongTask, gradeOolongAnswer, type OolongTask } from './oolong.ts';
import { generatePairsTask, gradePairsAnswer, type PairsTask } from './pairs.ts';

export type SyntheticTask = NeedleTask | OolongTask | PairsTask;
export type TaskFamily = SyntheticTask['family'];
export const TASK_FAMILIES: readonly TaskFamily[] = ['needle', 'oolong', 'pairs'];

export interface GenerateTaskOptions {
  readonly seed: number;
  /** Approximate size of the context in characters. */
  readonly contextChars: number;
}

export function generateTask(family: TaskFamily, options: GenerateTaskOptions): SyntheticTask {
  switch (family) {
    case 'needle':
      return generateNeedleTask(options);
    case 'oolong':
      return generateOolongTask(options);
    case 'pairs':
      return generatePairsTask(options);
    default:
      return assertNever(family);
  }
}

/** The task's exact score in [0, 1] for a free-text answer. */
export function gradeAnswer(task: SyntheticTask, answerText: string): number {
  switch (task.family) {
    case 'needle':
      return gradeNeedleAnswer(task, answerText);
    case 'oolong':
      return gradeOolongAnswer(task, answerText);
    case 'pairs':
      return gradePairsAnswer(task, answerText);
    default:
      return assertNever(task);
  }
}
