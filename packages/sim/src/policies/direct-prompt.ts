/**
 * The direct baseline's prompt: the whole (possibly truncated) context and the
 * question in one user message, as the paper's base-model baseline does. The
 * evaluation harness renders it; the solver policy parses it and answers only
 * from the text it received. One module for both sides, so they cannot drift.
 */

const HEADER = 'Read the document below, then answer the question that follows it.';
const OPEN = '<document>';
const CLOSE = '</document>';
const QUESTION = 'Question: ';
const FOOTER = 'Give only the answer, with no explanation.';

export function renderDirectPrompt(document: string, question: string): string {
  return `${HEADER}\n${OPEN}\n${document}\n${CLOSE}\n${QUESTION}${question}\n${FOOTER}`;
}

/** Characters the prompt adds around the document and the question. */
export const DIRECT_PROMPT_OVERHEAD_CHARS = renderDirectPrompt('', '').length;

/** The document and question of a direct prompt, or undefined for any other text. */
export function parseDirectPrompt(
  prompt: string,
): { readonly document: string; readonly question: string } | undefined {
  if (!prompt.startsWith(`${HEADER}\n${OPEN}\n`)) return undefined;
  const closeAt = prompt.lastIndexOf(`\n${CLOSE}\n${QUESTION}`);
  if (closeAt === -1) return undefined;
  const document = prompt.slice(HEADER.length + OPEN.length + 2, closeAt);
  let question = prompt.slice(closeAt + CLOSE.length + QUESTION.length + 2);
  if (question.endsWith(`\n${FOOTER}`)) question = question.slice(0, -FOOTER.length - 1);
  return { document, question };
}
