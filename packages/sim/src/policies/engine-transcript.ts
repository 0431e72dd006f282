/**
 * Reads a chat request as the RLM engine writes it (DESIGN section 2). The
 * assumptions, kept in this one file:
 * - messages[0] is a system message whose text mentions `FINAL_VAR` (and
 *   `llm_query`, unless the request runs REPL-only with sub-calls disabled);
 * - messages[1] is the first user message; it ends with a line exactly
 *   QUESTION_HEADER followed by the query verbatim, and it shows the context's
 *   first CONTEXT_PREVIEW_CHARS characters somewhere before that;
 * - then alternating assistant replies and user messages with REPL output;
 * - a child session started by rlm_query has query === CHILD_QUERY;
 * - a drop-in request's query starts with EMBEDDED_QUERY: the request is read
 *   from the context's head and tail the first user message shows;
 * - a system prompt that mentions a "Python REPL" wants Python code.
 * Anything else (no such system message) is a plain sub-call.
 */
import { CHILD_QUERY, FORCED_FINAL_MESSAGE, isEmbeddedQuery, QUESTION_HEADER } from '@rlm/shared';
import { parseSolveSpec } from './solver-code.ts';
import type { SimMessage } from './policy.ts';

export interface EngineTranscript {
  readonly query: string;
  readonly isChild: boolean;
  /** Whether the system prompt offers llm_query (false in the REPL-only ablation). */
  readonly subcallsOffered: boolean;
  /** The REPL language the system prompt describes (`--repl python` says "Python REPL"). */
  readonly language: 'js' | 'python';
  /** The first user message, which carries the context metadata and preview. */
  readonly firstUserMessage: string;
  readonly assistantMessages: readonly string[];
  /** User messages after the first one (REPL outputs, nudges, the final-answer request). */
  readonly laterUserMessages: readonly string[];
  /** The text of the last message, if it is a user message. */
  readonly lastUserMessage: string | undefined;
}

export function isEngineSessionRequest(messages: readonly SimMessage[]): boolean {
  const first = messages[0];
  const text = first?.role === 'system' ? (first.content ?? '') : '';
  return text.includes('llm_query') || text.includes('FINAL_VAR');
}

/** The engine's view of the request, or undefined for a plain sub-call. */
export function readEngineTranscript(
  messages: readonly SimMessage[],
): EngineTranscript | undefined {
  if (!isEngineSessionRequest(messages)) return undefined;
  const firstUser = messages.find((message) => message.role === 'user');
  const firstUserMessage = firstUser?.content ?? '';
  const stated = extractQuery(firstUserMessage);
  if (stated === undefined) return undefined;
  const query = isEmbeddedQuery(stated) ? (findEmbeddedRequest(firstUserMessage) ?? stated) : stated;
  const afterFirst = messages.slice(messages.indexOf(firstUser as SimMessage) + 1);
  const last = messages[messages.length - 1];
  return {
    query,
    isChild: query === CHILD_QUERY,
    subcallsOffered: (messages[0]?.content ?? '').includes('llm_query'),
    language: (messages[0]?.content ?? '').includes('Python REPL') ? 'python' : 'js',
    firstUserMessage,
    assistantMessages: afterFirst.filter((m) => m.role === 'assistant').map((m) => m.content ?? ''),
    laterUserMessages: afterFirst.filter((m) => m.role === 'user').map((m) => m.content ?? ''),
    lastUserMessage: last?.role === 'user' && last !== firstUser ? (last.content ?? '') : undefined,
  };
}

/** Everything after the last line that is exactly QUESTION_HEADER. */
export function extractQuery(firstUserMessage: string): string | undefined {
  const marker = `\n${QUESTION_HEADER}\n`;
  const index = firstUserMessage.lastIndexOf(marker);
  if (index >= 0) return firstUserMessage.slice(index + marker.length).trim();
  if (firstUserMessage.startsWith(`${QUESTION_HEADER}\n`)) {
    return firstUserMessage.slice(QUESTION_HEADER.length + 1).trim();
  }
  return undefined;
}

/**
 * Whether the engine asks for a final answer without more code (the
 * iteration limit). The request's exact text belongs to the engine, so this
 * matches wording: it must mention a final answer AND either forbid code or
 * name the limit. Either phrase alone may appear in ordinary step messages.
 */
export function isFinalAnswerRequest(userMessage: string): boolean {
  if (userMessage.includes(FORCED_FINAL_MESSAGE)) return true;
  if (!/\bfinal answer\b/i.test(userMessage)) return false;
  const forbidsCode =
    /\b(?:no (?:more|further) code|without (?:writing |running )?(?:any )?(?:more )?code|(?:do not|don'?t) (?:write|run) (?:any )?(?:more )?code)\b/i;
  const namesLimit =
    /\b(?:iteration limit|maximum (?:number of )?iterations|out of iterations|last (?:turn|iteration|step))\b/i;
  return forbidsCode.test(userMessage) || namesLimit.test(userMessage);
}

/**
 * The request of a drop-in prompt, as a model would find it: in the context's
 * last characters (then its first ones) shown in the first user message; a
 * task family's question when one is there, else the tail's last paragraph.
 */
export function findEmbeddedRequest(firstUserMessage: string): string | undefined {
  const shown = (label: RegExp): string | undefined => label.exec(firstUserMessage)?.[1];
  const tail = shown(/The last \d+ characters[^\n]*:\n"""\n([\s\S]*?)\n"""\n/);
  const head = shown(/Preview of the first \d+ characters:\n"""\n([\s\S]*?)\n"""\n/);
  for (const text of [tail, head]) {
    if (text !== undefined && parseSolveSpec(text).family !== 'generic') return text;
  }
  const paragraphs = (tail ?? head ?? '').split(/\n\s*\n/).filter((part) => part.trim() !== '');
  return paragraphs.at(-1)?.trim();
}
