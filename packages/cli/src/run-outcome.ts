/**
 * How a finished request ends a command: its exit code and, in plain-text
 * output, one line saying why when it did not end with a final answer.
 *   0  final answer
 *   3  stopped before a final answer: a budget, the turn limit, the timeout, or a cancel
 *      (Ctrl-C / SIGTERM); the answer is partial
 *   1  failed (the cause: error code and message)
 *   2  bad input (raised before any request runs; see main.ts)
 */
import type { RlmResult } from '@rlm/sdk';
import { assertNever } from '@rlm/shared';

export const EXIT_CODES = { final: 0, failed: 1, badInput: 2, partial: 3 } as const;

export function exitCodeOf(result: Pick<RlmResult, 'stopReason'>): number {
  const reason = result.stopReason;
  switch (reason) {
    case 'final':
      return EXIT_CODES.final;
    case 'max_iterations':
    case 'max_tokens':
    case 'max_cost':
    case 'timeout':
    case 'cancelled':
      return EXIT_CODES.partial;
    case 'error':
      return EXIT_CODES.failed;
    default:
      return assertNever(reason);
  }
}

const STOPPED_BY: Record<string, string> = {
  max_iterations: 'the turn limit (--max-iterations)',
  max_tokens: 'the token budget (--max-tokens)',
  max_cost: 'the cost budget (--max-cost)',
  timeout: 'the timeout (--timeout)',
};

/** One line naming why the request did not end with a final answer; undefined when it did. */
export function outcomeLine(result: Pick<RlmResult, 'stopReason' | 'error'>): string | undefined {
  const reason = result.stopReason;
  if (reason === 'final') return undefined;
  if (reason === 'error') {
    const error = result.error;
    return `failed: ${error === undefined ? 'unknown error' : `${error.code}: ${oneLine(error.message)}`}`;
  }
  if (reason === 'cancelled') return 'partial answer: cancelled before a final answer';
  return `partial answer: stopped by ${STOPPED_BY[reason] ?? reason} before a final answer`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
