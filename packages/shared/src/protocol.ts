/**
 * The model-facing protocol v1 (DESIGN section 2): what the REPL exposes, what a
 * step returns, and the fixed pieces of the root prompt that other components
 * (the simulator's solver policy) recognise.
 */
import { z } from 'zod';

/** The user's context: a string, an array of documents, or any JSON value. */
export type ContextValue = string | readonly string[] | JsonValue;
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** The REPL language of a session: JavaScript (isolated-vm, the default) or Python (Pyodide in a sealed process). */
export const ReplLanguage = z.enum(['js', 'python']);
export type ReplLanguage = z.infer<typeof ReplLanguage>;

/** Options a model may pass to `llm_query(prompt, opts)` and friends inside the REPL. */
export const SubcallOptions = z
  .object({
    model: z.string().min(1).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().positive().optional(),
  })
  .strict();
export type SubcallOptions = z.infer<typeof SubcallOptions>;

/** The first user message of a session ends with this header line; everything after it is the query verbatim. */
export const QUESTION_HEADER = 'QUESTION:';

/** A child session started by `rlm_query(prompt)` gets `prompt` as its context and this query. */
export const CHILD_QUERY =
  'The variable `context` holds a task and its material. Carry out the task and give the result as the final answer.';

/**
 * The query of a drop-in request (one prompt holding both the material and the request, as
 * `completion(prompt)` or a single chat message sends it): the request is found inside `context`.
 */
export const EMBEDDED_QUERY =
  'The variable `context` is the whole message the user sent: the material together with their request (a question or an instruction, usually at its start or its end; see the preview of its first and last characters above). Find the request, carry it out over the material in `context`, and give the result as the final answer.';

/** Sent at the iteration limit: one last request for the answer; no code runs after it. */
export const FORCED_FINAL_MESSAGE =
  'You have used all of your turns. No more code will run. Reply now with your best final answer on one line: FINAL(your answer).';

/** How many leading characters of the context the root prompt previews. */
export const CONTEXT_PREVIEW_CHARS = 500;

/** How many trailing characters of a long context the root prompt shows (where a drop-in prompt's question usually is). */
export const CONTEXT_TAIL_CHARS = 500;

/** Default cap on the characters of one step's output shown to the model. */
export const DEFAULT_OUTPUT_LIMIT_CHARS = 20_000;
/** Largest final answer a session accepts (16 MiB of characters); see `maxAnswerChars`. */
export const DEFAULT_MAX_ANSWER_CHARS = 16 * 1024 * 1024;
