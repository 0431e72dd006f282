/**
 * The cap on a session's final answer (`maxAnswerChars`, default 16 MiB of characters). A REPL
 * may enforce it inside its sandbox (the JavaScript one does, so an oversized answer never
 * leaves the isolate); the loop enforces it again here for every REPL language and for answers
 * given in text. An oversized final answer is not accepted: the step reports an error the model
 * reads, and the session goes on, so the model can answer again with what was asked for.
 */
import { DEFAULT_MAX_ANSWER_CHARS } from '@rlm/shared';
import type { SessionSettings, StepResult } from '@rlm/shared';

export function answerCapOf(settings: SessionSettings): number {
  return settings.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS;
}

export function answerTooLargeMessage(chars: number, cap: number): string {
  return `the final answer has ${chars.toLocaleString('en-US')} characters, more than the limit of ${cap.toLocaleString('en-US')} (maxAnswerChars), so it was not accepted; answer with what was asked for, summarised, not with the material itself`;
}

/** The step's result with an oversized final answer turned into an error and an oversized partial answer dropped. */
export function capStepAnswer(result: StepResult, cap: number): StepResult {
  const { final, partialAnswer, ...rest } = result;
  const keptPartial = partialAnswer !== undefined && partialAnswer.length <= cap ? { partialAnswer } : {};
  if (final === undefined || final.value.length <= cap) return { ...rest, ...keptPartial, ...(final === undefined ? {} : { final }) };
  return {
    ...rest,
    ...keptPartial,
    error: { name: 'AnswerTooLargeError', message: answerTooLargeMessage(final.value.length, cap) },
  };
}
