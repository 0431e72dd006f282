/**
 * What a conversation (issue 16) changes for the step executors: its REPL is named by the
 * conversation, not by the question's session; it holds the contexts added so far as `context_1`,
 * `context_2`, ...; and before the first step of each question the REPL variable `history` is set
 * to the earlier questions and answers. Both executors (embedded and cluster) use these helpers.
 */
import type { ConversationExchange, ReplLanguage, StepTask } from '@rlm/shared';

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
