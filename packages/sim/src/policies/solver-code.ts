/**
 * The JavaScript the solver writes into ```repl blocks. Each solve step is one
 * block statement (so a retry can redeclare its names) that chunks the context
 * on line boundaries, fans the chunks out to sub-calls with the instruction
 * first and the chunk last, aggregates the replies in code, prints what it
 * found (including an `ANSWER_JSON=` line the solver can read back), and calls
 * FINAL. The generated code avoids template literals to keep quoting simple.
 */
import { LABELS, type Label } from '../tasks/labels.ts';
import { parseNeedleQuery } from '../tasks/needle.ts';
import { parsePairsQuery } from '../tasks/pairs.ts';
import { parseOolongQuery } from '../tasks/oolong-query.ts';
import type { OolongQuestion } from '../tasks/oolong-query.ts';
import { oolongAnswerCode, oolongFilterCode } from './oolong-code.ts';
import { renderSubcallInstruction, type SubcallInstruction } from './subcall-instructions.ts';

export const ANSWER_MARKER = 'ANSWER_JSON=';
/** In a comment of every solve step (`// ` in JavaScript, `# ` in Python); counts the attempts. */
export const SOLVE_MARKER = 'sim-solver: solve';

export type SolveSpec =
  | { readonly family: 'needle'; readonly key: string }
  | { readonly family: 'oolong'; readonly question: OolongQuestion }
  | { readonly family: 'pairs'; readonly labels: readonly Label[] }
  | { readonly family: 'generic'; readonly question: string };

export interface SolveCodeOptions {
  readonly strategy: 'llm' | 'rlm';
  readonly chunkChars: number;
  /** A wrong program: an off-by-one that silently drops the last chunk of the material. */
  readonly dropLastChunk?: boolean;
  /** A slow program: awaits its sub-calls one by one instead of in parallel. */
  readonly sequential?: boolean;
}

const json = (value: unknown): string => JSON.stringify(value);

/** Turns the context into text, splits it on line boundaries, and asks with one retry for failed items. */
function helpers(
  batchFunction: string,
  chunkChars: number,
  flaws: { readonly dropLastChunk?: boolean; readonly sequential?: boolean } = {},
): string {
  const single = batchFunction.replace('_batched', '');
  const ask = flaws.sequential
    ? `(async (items) => { const out = []; for (const item of items) out.push(await ${single}(item)); return out; })`
    : batchFunction;
  return `  const text = typeof context === 'string' ? context : Array.isArray(context) ? context.join('\\n') : JSON.stringify(context);
  const chunkText = (source, size) => {
    const chunks = [];
    let start = 0;
    while (start < source.length) {
      let end = Math.min(source.length, start + size);
      if (end < source.length) {
        const newline = source.lastIndexOf('\\n', end);
        if (newline > start) end = newline + 1;
      }
      chunks.push(source.slice(start, end));
      start = end;
    }
    return ${flaws.dropLastChunk ? 'chunks.slice(0, chunks.length - 1)' : 'chunks'};
  };
  const isFailure = (reply) => typeof reply !== 'string' || reply.startsWith('Error:') || reply.trim() === '';
  const askAll = async (prompts) => {
    const replies = await ${ask}(prompts);
    const failed = prompts.map((_, index) => index).filter((index) => isFailure(replies[index]));
    if (failed.length > 0) {
      print('retrying ' + failed.length + ' failed sub-calls');
      const again = await ${ask}(failed.map((index) => prompts[index]));
      failed.forEach((index, position) => { replies[index] = again[position]; });
    }
    const stillFailed = replies.filter(isFailure).length;
    if (stillFailed > 0) print('warning: ' + stillFailed + ' sub-calls failed and are ignored');
    return replies.map((reply) => (isFailure(reply) ? '' : reply));
  };
  const CHUNK_CHARS = ${chunkChars};`;
}

function finish(resultExpression: string): string {
  return `  const finalAnswer = String(${resultExpression});
  print('${ANSWER_MARKER}' + JSON.stringify(finalAnswer));
  FINAL(finalAnswer);`;
}

export function peekCode(): string {
  return `{
  // sim-solver: peek
  const kind = Array.isArray(context) ? 'array' : typeof context;
  const size = kind === 'string' || kind === 'array' ? context.length : JSON.stringify(context).length;
  print('context: ' + kind + ', length ' + size);
  const sample = typeof context === 'string' ? context : JSON.stringify(context);
  print(sample.slice(0, 400));
  if (typeof context === 'string') print('lines: ' + (context.split('\\n').length));
}`;
}

/** The family-specific plan for a query written by our task generators (anything else: generic). */
export function parseSolveSpec(query: string): SolveSpec {
  const needle = parseNeedleQuery(query);
  if (needle) return { family: 'needle', key: needle.key };
  const pairs = parsePairsQuery(query);
  if (pairs) return { family: 'pairs', labels: pairs.labels };
  const question = parseOolongQuery(query);
  if (question) return { family: 'oolong', question };
  return { family: 'generic', question: query };
}

/** A solve step for the root session. */
export function solveCode(spec: SolveSpec, options: SolveCodeOptions): string {
  const batch = options.strategy === 'rlm' ? 'rlm_query_batched' : 'llm_query_batched';
  const instruction = renderSubcallInstruction(
    spec.family === 'oolong' ? { family: 'oolong' } : spec,
  );
  const head = `{
  // ${SOLVE_MARKER} (${spec.family}, ${options.strategy})
${helpers(batch, options.chunkChars, options)}
  const instruction = ${json(instruction)};`;
  return `${head}\n${solveBody(spec)}\n}`;
}

function solveBody(spec: SolveSpec): string {
  switch (spec.family) {
    case 'needle':
      return `  const chunks = chunkText(text, CHUNK_CHARS);
  print('searching ' + chunks.length + ' chunks for the key ' + ${json(spec.key)});
  const replies = await askAll(chunks.map((chunk) => instruction + '\\n' + chunk));
  const found = [];
  for (const reply of replies) {
    const match = /\\b\\d{7}\\b/.exec(reply);
    if (match) found.push(match[0]);
  }
  print('candidates: ' + (found.join(', ') || 'none'));
  const votes = new Map();
  for (const value of found) votes.set(value, (votes.get(value) || 0) + 1);
  const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0];
${finish("best ? best[0] : 'NOT_FOUND'")}`;
    case 'oolong':
      return `  const question = ${json(spec.question)};
  const LABELS = ${json(LABELS)};
${oolongFilterCode()}
  const lines = text.split('\\n').filter((line) => line.startsWith('Date: '));
  // Users and dates are structured: filter them in code; only labels need a model.
  const kept = lines.filter((line) => {
    const [datePart = '', userPart = ''] = line.split(' || ');
    if (users && !users.has(userPart.replace('User: ', '').trim())) return false;
    const day = dayOf(datePart.replace('Date: ', ''));
    return day >= from && day <= to;
  });
  print(lines.length + ' lines, ' + kept.length + ' pass the filters');
  const chunks = chunkText(kept.join('\\n'), CHUNK_CHARS);
  const replies = await askAll(chunks.map((chunk) => instruction + '\\n' + chunk));
  const counts = Object.fromEntries(LABELS.map((label) => [label, 0]));
  for (const reply of replies) {
    for (const match of reply.matchAll(/^\\s*([a-z ]+?)\\s*:\\s*(\\d+)\\s*$/gm)) {
      if (Object.hasOwn(counts, match[1])) counts[match[1]] += Number(match[2]);
    }
  }
  print('label counts: ' + JSON.stringify(counts));
${oolongAnswerCode('result')}
${finish('result')}`;
    case 'pairs':
      return `  const lines = text.split('\\n').filter((line) => line.startsWith('Date: '));
  const chunks = chunkText(lines.join('\\n'), CHUNK_CHARS);
  const replies = await askAll(chunks.map((chunk) => instruction + '\\n' + chunk));
  const users = new Set();
  for (const reply of replies) for (const match of reply.matchAll(/\\d+/g)) users.add(Number(match[0]));
  const sorted = [...users].sort((a, b) => a - b);
  const pairs = [];
  for (let i = 0; i < sorted.length; i += 1) {
    for (let j = i + 1; j < sorted.length; j += 1) pairs.push('(' + sorted[i] + ', ' + sorted[j] + ')');
  }
  print(sorted.length + ' users qualify, ' + pairs.length + ' pairs');
${finish("pairs.join('\\n')")}`;
    case 'generic':
      return `  const chunks = chunkText(text, CHUNK_CHARS);
  const replies = await askAll(chunks.map((chunk) => instruction + '\\n' + chunk));
  const useful = replies.filter((reply) => reply && !reply.startsWith('NO_ANSWER'));
  print(useful.length + ' of ' + replies.length + ' chunks had something to say');
${finish("useful[0] || 'The context does not answer the question.'")}`;
  }
}

/**
 * A child RLM's step: its context is `instruction line + material`. It reads
 * the instruction at run time, splits the material, asks plain sub-calls and
 * combines their replies into the same format a single sub-call would give.
 */
export function childCode(instruction: SubcallInstruction, childChunkChars: number): string {
  return `{
  // sim-solver: child (${instruction.family})
${helpers('llm_query_batched', childChunkChars)}
  const newline = text.indexOf('\\n');
  const instruction = newline === -1 ? text : text.slice(0, newline);
  const material = newline === -1 ? '' : text.slice(newline + 1);
  const pieces = chunkText(material, CHUNK_CHARS);
  print('instruction: ' + instruction.slice(0, 120));
  print('material: ' + material.length + ' characters in ' + pieces.length + ' pieces');
  const replies = await askAll(pieces.map((piece) => instruction + '\\n' + piece));
${childCombine(instruction)}
}`;
}

function childCombine(instruction: SubcallInstruction): string {
  switch (instruction.family) {
    case 'needle':
      return `  const found = replies.map((reply) => /\\b\\d{7}\\b/.exec(reply)).find(Boolean);
${finish("found ? found[0] : 'NOT_FOUND'")}`;
    case 'oolong':
      return `  const LABELS = ${json(LABELS)};
  const counts = Object.fromEntries(LABELS.map((label) => [label, 0]));
  for (const reply of replies) {
    for (const match of reply.matchAll(/^\\s*([a-z ]+?)\\s*:\\s*(\\d+)\\s*$/gm)) {
      if (Object.hasOwn(counts, match[1])) counts[match[1]] += Number(match[2]);
    }
  }
${finish("LABELS.map((label) => label + ': ' + counts[label]).join('\\n')")}`;
    case 'pairs':
      return `  const users = new Set();
  for (const reply of replies) for (const match of reply.matchAll(/\\d+/g)) users.add(Number(match[0]));
  const sorted = [...users].sort((a, b) => a - b);
${finish("sorted.length === 0 ? 'NONE' : sorted.join(', ')")}`;
    case 'generic':
      return `  const useful = replies.filter((reply) => reply && !reply.startsWith('NO_ANSWER'));
${finish("useful[0] || 'NO_ANSWER'")}`;
  }
}
