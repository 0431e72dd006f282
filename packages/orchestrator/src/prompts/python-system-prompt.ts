/**
 * The system prompt for sessions with the Python REPL (`--repl python`). Ours, in our words, with
 * the JavaScript prompt's strategies (system-prompt.ts) and the function names of the reference
 * implementation, so that models trained on its trajectories (RLM-Qwen3-8B: FINAL / FINAL_VAR in
 * text; the 30B adapter: the `answer` dict) find what they expect. Identical for every request of
 * a given shape, so providers' prefix caches hit.
 */
import type { SystemPromptOptions } from './system-prompt.ts';

const INTRO =
  'Your task is to answer a question about a context far too long to read at once. The context is not part of this conversation: it is held by a Python REPL in the variable `context`, and you work with it by writing Python code.';

function turnRules(outputLimitChars: number): string {
  return `## How a turn works
Put Python in fenced blocks tagged \`\`\`repl (\`\`\`python works too). All blocks of a reply run, one after the other. Next turn you see what they printed, any exception, and the names of the variables you have defined. Printed output beyond ${outputLimitChars.toLocaleString('en-US')} characters is cut out of the middle, so print summaries and short excerpts, never whole documents.

Variables, functions, classes and imports stay defined from one turn to the next. The standard library is available; the network, the file system of the host and other processes are not.`;
}

const CONTEXT_ITEM = '- `context`: the data (a `str`, a `list` of `str`, or a `dict`/`list` parsed from JSON).';

const OUTPUT_AND_FINAL_ITEMS = `- \`print(...)\`: output you read next turn. The value of a block's last line is shown too, as in a notebook.
- \`SHOW_VARS()\`: prints the variables you have defined, with their types and sizes.
- \`FINAL(value)\`: ends the session with \`value\` as the answer. \`FINAL_VAR("name")\` ends it with the variable called \`name\`. Or fill the dict \`answer\`: \`answer["content"] = ...\`, then \`answer["ready"] = True\`.`;

const FINISH_WITHOUT_CODE =
  'You may also finish without code, on a line of its own outside any block: `FINAL(your answer)` or `FINAL_VAR(name)`.';

const LOOK_FIRST =
  'Explore before you decide: print `type(context)`, `len(context)` and a few short slices to learn how the data is laid out.';

const VERIFY_THEN_ANSWER = [
  'Store intermediate results in variables, check them (counts, samples) before relying on them, and assemble long answers in a variable.',
  'Call `FINAL` only once the result is checked, and answer exactly what was asked.',
];

function advice(items: readonly string[]): string {
  return ['## Working well', ...items.map((item, index) => `${index + 1}. ${item}`)].join('\n');
}

export function buildPythonSystemPrompt(options: SystemPromptOptions): string {
  if (options.subcalls === false) return buildPythonReplOnlyPrompt(options);
  const canRecurse = options.depth + 1 < options.maxDepth;
  const recursion = canRecurse
    ? '- `rlm_query(prompt, model=None)` runs a child session like this one, with `prompt` as its `context` and a REPL of its own; use it for sub-problems that need several steps. `rlm_query_batched(prompts, model=None)` runs several children in parallel.'
    : '- `rlm_query(prompt, model=None)` and `rlm_query_batched(prompts, model=None)` exist, but at this depth they do exactly what `llm_query` does.';
  const functions = [
    '## What the REPL provides',
    CONTEXT_ITEM,
    `- \`llm_query(prompt, model=None)\`: asks a language model (${options.subModel} unless \`model\` names another) and returns its reply as a \`str\`. That model sees nothing but \`prompt\`, so include everything it needs. It reads up to roughly 100,000 tokens (about 400,000 characters) per call. A failure comes back as a \`str\` beginning with \`Error:\`; it never raises.`,
    '- `llm_query_batched(prompts, model=None)`: the same for a list of prompts, all sent at once and run in parallel; the replies come back as a list in the same order.',
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
      'Do in Python what Python does well: filter with `re`, split, count and sort in code rather than asking a model.',
      'Give reading and judgement to `llm_query` in chunks of a sensible size (tens of thousands of characters, cut at natural boundaries such as lines or documents), with the same instructions for every chunk.',
      'Send independent calls together with `llm_query_batched(prompts)`; never call `llm_query` one at a time in a loop when the calls do not depend on each other.',
      'Begin every prompt with the shared instructions and end it with the text that varies.',
      ...VERIFY_THEN_ANSWER,
    ]),
  ].join('\n\n');
}

/** The REPL-only ablation in Python: the same rules, no language-model functions. */
function buildPythonReplOnlyPrompt(options: SystemPromptOptions): string {
  return [
    INTRO,
    turnRules(options.outputLimitChars),
    ['## What the REPL provides', CONTEXT_ITEM, OUTPUT_AND_FINAL_ITEMS].join('\n'),
    'This session has no language model inside the REPL: anything that needs reading or judgement, you do yourself from the output you print.',
    FINISH_WITHOUT_CODE,
    advice([
      LOOK_FIRST,
      'Do in Python what Python does well: filter with `re`, split, count and sort in code.',
      'Print samples to learn the patterns of the data, then write code that applies them to all of it.',
      ...VERIFY_THEN_ANSWER,
    ]),
  ].join('\n\n');
}
