/**
 * What a conversation (issue 16) changes for the step executors: its REPL is named by the
 * conversation, not by the question's session; it holds the contexts added so far as `context_1`,
 * `context_2`, ...; and before the first step of each question the REPL variable `history` is set
 * to the earlier questions and answers. Both executors (embedded and cluster) use these helpers.
 */
import type { ConversationExchange, ReplLanguage, StepResult, StepTask } from '@rlm/shared';
import type { StepOptions } from '../sandbox/index.ts';
import type { StepRepl } from './step-repl.ts';

/** The key the REPL lives under: the conversation when there is one, else the session. */
export function replKeyOf(task: StepTask): string {
  return task.conversation?.conversationId ?? task.sessionId;
}

/**
 * Code that sets `history` to the exchanges: a JSON text inside a string literal, which both
 * languages read the same way (JSON's string escapes are valid in JavaScript and Python literals).
 */
export function historyPreamble(language: ReplLanguage, history: readonly ConversationExchange[]): string {
  const literal = JSON.stringify(JSON.stringify(history.map(({ question, answer }) => ({ question, answer }))));
  return language === 'python'
    ? `history = __import__("json").loads(${literal})`
    : `globalThis.history = JSON.parse(${literal});`;
}

/**
 * Runs a step's code, first setting `history` when the REPL's copy is behind the task's (a new
 * question, or a REPL that was reset). What the preamble printed (the note a restored REPL adds to
 * its first step's output) is handed to the model with the step's own output.
 */
export async function runStepWithHistory(
  repl: StepRepl,
  task: StepTask,
  state: { history: number },
  options: StepOptions,
): Promise<StepResult> {
  const history = task.conversation?.history;
  let carried = '';
  if (history !== undefined && state.history !== history.length) {
    const preamble = await repl.execute(historyPreamble(task.settings.repl ?? 'js', history), options);
    state.history = preamble.reset === undefined ? history.length : 0;
    carried = preamble.output;
  }
  const result = await repl.execute(task.code, options);
  // A reset REPL lost `history` too: the next step sets it again.
  if (result.reset !== undefined) state.history = 0;
  if (carried === '') return result;
  return { ...result, output: carried + result.output, outputTotalChars: result.outputTotalChars + carried.length };
}
