/**
 * The system prompt the root model sees. It is ours, written for this engine:
 * it names the REPL functions exactly as the protocol defines them and gives
 * short working strategies. It is identical for every request of a given
 * shape, so providers' prefix caches hit across requests.
 */
import type { ReplLanguage, ToolSpec } from '@rlm/shared';
import { buildPythonSystemPrompt } from './python-system-prompt.ts';
import { renderToolsSection } from './tools-section.ts';

export interface SystemPromptOptions {
  /** Depth of the session this prompt is for (0 = root). */
  readonly depth: number;
  readonly maxDepth: number;
  readonly subModel: string;
  readonly outputLimitChars: number;
  /** False: the REPL-only ablation; the prompt then says nothing about sub-calls. Default true. */
  readonly subcalls?: boolean;
  /** The REPL language; JavaScript when absent (Python's prompt is python-system-prompt.ts). */
  readonly repl?: ReplLanguage;
  /** The caller's tools, listed after the fixed part; none when absent. */
  readonly tools?: readonly ToolSpec[];
}

/*
 * Both variants are assembled from the parts below, so a rule stated once reads the same in each.
 * Changing any part changes the prefix every request sends: providers' prompt caches start cold.
 */
const INTRO =
  'You answer a question about a context that is far too large to read in one go. The context is not in this conversation: it sits in a JavaScript REPL as the variable `context`, and you work on it by writing code.';

function turnRules(outputLimitChars: number): string {
  return `## How a turn works
Write JavaScript in fenced blocks marked \`\`\`repl (\`\`\`js and \`\`\`ts also work). Every block in your reply runs, in order. After the reply you get back what the code printed, any error, and the list of variables you have defined. Output longer than ${outputLimitChars.toLocaleString('en-US')} characters is cut in the middle, so print summaries and slices, not whole documents.

Top-level \`await\` works. Top-level \`const\`, \`let\`, \`var\`, \`function\` and \`class\` declarations stay defined in later turns.`;
}

const CONTEXT_ITEM = '- `context`: the data (a string, an array of strings, or a JSON value).';

const OUTPUT_AND_FINAL_ITEMS = `- \`print(...)\` or \`console.log(...)\`: output you will see next turn.
- \`SHOW_VARS()\`: lists the variables you have defined.
- \`FINAL(value)\`: ends the session with \`value\` as the answer. \`FINAL_VAR("name")\` does the same with the variable called \`name\`. You may instead set \`answer.content\` and then \`answer.ready = true\`.`;

const FINISH_WITHOUT_CODE =
  'You may also finish without code, on a line of its own: `FINAL(your answer)` or `FINAL_VAR(name)`.';

const LOOK_FIRST =
  'Look before you act: print the type, the length and a few short slices of `context` to learn its structure.';

const VERIFY_THEN_ANSWER = [
  'Keep intermediate results in variables, check them (counts, spot checks) before you trust them, and build long answers in a variable.',
  'Answer with `FINAL` only when the result is verified. Give exactly what the question asks for.',
];

function advice(items: readonly string[]): string {
  const numbered = items.map((item, index) => `${index + 1}. ${item}`);
  return ['## How to work well', ...numbered].join('\n');
}

export function buildSystemPrompt(options: SystemPromptOptions): string {
  const base = buildLanguagePrompt(options);
  const tools = options.tools ?? [];
  return tools.length === 0 ? base : `${base}\n\n${renderToolsSection(tools, options.repl)}`;
}

function buildLanguagePrompt(options: SystemPromptOptions): string {
  if (options.repl === 'python') return buildPythonSystemPrompt(options);
  if (options.subcalls === false) return buildReplOnlyPrompt(options);
  const canRecurse = options.depth + 1 < options.maxDepth;
  const recursion = canRecurse
    ? '- `await rlm_query(prompt, opts?)` starts a child session just like this one: its `context` is `prompt` and it has its own REPL. Use it for sub-problems that need several steps of their own. `await rlm_query_batched(prompts, opts?)` runs several children in parallel.'
    : '- `await rlm_query(prompt, opts?)` and `await rlm_query_batched(prompts, opts?)` exist, but at this depth they behave exactly like `llm_query`.';
  const functions = [
    '## What the REPL gives you',
    CONTEXT_ITEM,
    `- \`await llm_query(prompt, opts?)\`: asks a language model (${options.subModel} unless \`opts.model\` names another) and returns its reply as a string. The model sees only \`prompt\`, so put everything it needs into it. It can read roughly 100,000 tokens (about 400,000 characters) at once. On failure the string starts with \`Error:\`; it never throws.`,
    '- `await llm_query_batched(prompts, opts?)`: the same for an array of prompts, run in parallel; replies come back in order.',
    recursion,
    OUTPUT_AND_FINAL_ITEMS,
  ].join('\n');
  return [
    INTRO,
    turnRules(options.outputLimitChars),
    functions,
    FINISH_WITHOUT_CODE,
    advice([
      LOOK_FIRST,
      'Let code do what code does well: filter with regular expressions, split, count and sort in JavaScript instead of asking a model.',
      'Hand reading and judgement to `llm_query` in chunks of a sensible size (tens of thousands of characters, split on natural boundaries such as lines or documents), and give every chunk the same instructions.',
      'Run independent calls in parallel: `await llm_query_batched(prompts)` or `await Promise.all(chunks.map((c) => llm_query(...)))`. Never call `llm_query` one by one in a loop when the calls do not depend on each other.',
      'Put the shared instructions at the start of each prompt and the varying text at the end.',
      ...VERIFY_THEN_ANSWER,
    ]),
  ].join('\n\n');
}

/**
 * The REPL-only prompt (the paper's "no sub-calls" ablation): the same REPL and
 * final-answer rules, no language-model functions, so the model must answer
 * with code and with what it reads in the printed output.
 */
function buildReplOnlyPrompt(options: SystemPromptOptions): string {
  return [
    INTRO,
    turnRules(options.outputLimitChars),
    ['## What the REPL gives you', CONTEXT_ITEM, OUTPUT_AND_FINAL_ITEMS].join('\n'),
    'There is no language model inside the REPL in this session: whatever needs reading or judgement, you do yourself from the output you print.',
    FINISH_WITHOUT_CODE,
    advice([
      LOOK_FIRST,
      'Let code do what code does well: filter with regular expressions, split, count and sort in JavaScript.',
      'Print samples of the data to learn its patterns, then write code that applies them to all of it.',
      ...VERIFY_THEN_ANSWER,
    ]),
  ].join('\n\n');
}
