/**
 * A scripted model for conversation tests (issue 16): the first question counts the colours of the
 * context's rows with sub-calls and keeps `counts` in the REPL; later questions read `counts` (and
 * `history`, `context_1`) and answer in one turn. Where `counts` does not exist (a fresh run), the
 * reply after the error recomputes it, so a fresh run of a follow-up costs what the first did and more.
 * A question containing "slow" makes a sub-call that answers after a minute (for cancel tests).
 */
import { extractQuery } from '@rlm/sim';
import type { ScriptedReplyFunction } from '@rlm/sim';
import { isSessionTurn, lastUserMessage, repl, turnIndex } from './engine-requests.ts';

const COLOURS = ['red', 'green', 'blue', 'red'] as const;

/** 40 rows, 20 red, 10 green, 10 blue. */
export function colourRows(): string {
  return Array.from({ length: 40 }, (_, index) => `row ${index}: ${COLOURS[index % COLOURS.length]}`).join('\n');
}

const RECOMPUTE = [
  "const lines = context.split('\\n');",
  'const chunks = [];',
  'for (let i = 0; i < lines.length; i += 10) chunks.push(lines.slice(i, i + 10).join("\\n"));',
  "const parts = await llm_query_batched(chunks.map((chunk) => 'Count the colours, answer JSON:\\n' + chunk));",
  'const counts = {};',
  'for (const part of parts) for (const [colour, n] of Object.entries(JSON.parse(part))) counts[colour] = (counts[colour] ?? 0) + n;',
].join('\n');

function answerExpression(question: string): string {
  if (/most common/i.test(question)) return 'Object.entries(counts).sort((a, b) => b[1] - a[1])[0][0]';
  if (/how many red/i.test(question)) {
    return "`${counts.red} red rows; ${typeof history === 'undefined' ? 0 : history.length} earlier, first answer ${typeof history === 'undefined' ? 'none' : history[0].answer}; context_1 has ${typeof context_1 === 'string' ? context_1.length : 0} characters`";
  }
  return 'JSON.stringify(counts)';
}

export const conversationScript: ScriptedReplyFunction = (request) => {
  if (!isSessionTurn(request)) {
    const prompt = lastUserMessage(request);
    if (prompt.startsWith('slow')) return { content: 'late', delayMs: 60_000 };
    const counts: Record<string, number> = {};
    for (const match of prompt.matchAll(/^row \d+: (\w+)$/gm)) counts[match[1] ?? ''] = (counts[match[1] ?? ''] ?? 0) + 1;
    return JSON.stringify(counts);
  }
  const first = request.messages.find((message) => message.role === 'user')?.content ?? '';
  const question = extractQuery(first) ?? '';
  if (/slow/i.test(question)) return repl('await llm_query("slow question")\nFINAL("too late")');
  const expression = answerExpression(question);
  const firstQuestion = /count the colours/i.test(question);
  if (turnIndex(request) === 0 && !firstQuestion) return repl(`FINAL(${expression})`);
  return repl(`${RECOMPUTE}\nFINAL(${expression})`);
};
