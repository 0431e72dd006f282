/**
 * The query a root session receives, built from what a caller sent: its own
 * question, or none (a drop-in prompt: the request is inside the context,
 * EMBEDDED_QUERY), plus optional instructions (a chat caller's system
 * message). Instructions follow the question, so a query still starts with
 * the question and readers that look for EMBEDDED_QUERY find it at the start.
 */
import { EMBEDDED_QUERY } from './protocol.ts';

/** Introduces the caller's instructions inside a query. */
export const INSTRUCTIONS_HEADER =
  "The caller's instructions for this request (from its system message):";

export function composeQuery(question: string | undefined, instructions?: string): string {
  const base = question ?? EMBEDDED_QUERY;
  if (instructions === undefined || instructions.trim() === '') return base;
  return `${base}\n\n${INSTRUCTIONS_HEADER}\n"""\n${instructions}\n"""`;
}

/** Whether a query asks the model to find the request inside `context`. */
export function isEmbeddedQuery(query: string): boolean {
  return query.startsWith(EMBEDDED_QUERY);
}
