/**
 * Graders by name, for synthetic and user-supplied tasks alike. The scoring
 * rules themselves live with the task generators in @rlm/sim (grading.ts);
 * this maps a grader name and an expected text onto them.
 */
import { assertNever } from '@rlm/shared';
import { exactMatchScore, normaliseAnswer, numericScore, pairF1Score, parsePairs } from '@rlm/sim';
import type { GraderName } from './types.ts';

/** The score in [0, 1] of `answer` for a task whose exact answer is `expected`. */
export function grade(grader: GraderName, expected: string, answer: string): number {
  switch (grader) {
    case 'exact':
      return exactMatchScore(expected, answer);
    case 'numeric': {
      const value = Number(expected);
      if (!Number.isFinite(value))
        throw new RangeError(`numeric grader: "${expected}" is not a number`);
      return numericScore(value, answer);
    }
    case 'contains':
      // Needle style: the expected text somewhere in the answer, after normalisation.
      return normaliseAnswer(answer).includes(normaliseAnswer(expected)) ? 1 : 0;
    case 'pairs':
      return pairF1Score(parsePairs(expected), answer);
    default:
      return assertNever(grader);
  }
}
