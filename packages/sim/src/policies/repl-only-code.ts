/**
 * What the solver writes when the engine offers no sub-calls (the REPL-only
 * ablation). With no model to hand chunks to, the solver does what a model
 * alone in a REPL can: regexes for needles, and for labels a keyword
 * classifier it writes after reading a printed sample of lines. The classifier
 * keys on an instance's first two words, so its quality depends on what the
 * sample happened to show: an honest mechanism, not an invented curve.
 */
import { LABELS, type Label } from '../tasks/labels.ts';
import { escapeRegExp } from '../text.ts';
import { ANSWER_MARKER, SOLVE_MARKER, type SolveSpec } from './solver-code.ts';
import { oolongAnswerCode, oolongFilterCode } from './oolong-code.ts';
import { noisyLabel, type SubcallAnswererOptions } from './subcall-answerer.ts';

/** Marks the sample lines the first REPL-only step prints. */
export const SAMPLE_MARKER = 'SAMPLE| ';
/** Lines printed by the sampling step, spread evenly over the context. */
const SAMPLE_LINES = 60;

const json = (value: unknown): string => JSON.stringify(value);

/** First step without sub-calls: the usual peek plus evenly spread sample lines. */
export function sampleCode(): string {
  return `{
  // sim-solver: sample
  const text = typeof context === 'string' ? context : Array.isArray(context) ? context.join('\\n') : JSON.stringify(context);
  print('context: ' + text.length + ' characters');
  print(text.slice(0, 400));
  const lines = text.split('\\n');
  const step = Math.max(1, Math.floor(lines.length / ${SAMPLE_LINES}));
  for (let index = 0; index < lines.length; index += step) print('${SAMPLE_MARKER}' + lines[index].slice(0, 200));
}`;
}

/** The classifier's key for an instance text: its first two words, lowercased. */
export function openingKey(instance: string): string {
  return instance.trim().split(/\s+/).slice(0, 2).join(' ').toLowerCase();
}

export interface KeywordRules {
  readonly byOpening: Readonly<Record<string, Label>>;
  /** For openings the sample never showed: the sample's most common label. */
  readonly fallback: Label;
}

/**
 * Rules from the sample lines of a REPL output: the solver "reads" each
 * sampled instance (with the configured labelling error) and keeps, per
 * opening, the label it saw most often.
 */
export function rulesFromSample(output: string, options: SubcallAnswererOptions): KeywordRules {
  const votes = new Map<string, Map<Label, number>>();
  const totals = new Map<Label, number>();
  for (const line of output.split('\n')) {
    if (!line.startsWith(SAMPLE_MARKER)) continue;
    const text = line.slice(SAMPLE_MARKER.length);
    const at = text.indexOf('|| Instance: ');
    if (at === -1) continue;
    const instance = text.slice(at + 13);
    const label = noisyLabel(text, instance, options);
    const key = openingKey(instance);
    const perKey = votes.get(key) ?? new Map<Label, number>();
    perKey.set(label, (perKey.get(label) ?? 0) + 1);
    votes.set(key, perKey);
    totals.set(label, (totals.get(label) ?? 0) + 1);
  }
  const byOpening: Record<string, Label> = {};
  for (const [key, perKey] of votes) byOpening[key] = mostVoted(perKey);
  return { byOpening, fallback: totals.size > 0 ? mostVoted(totals) : (LABELS[0] as Label) };
}

function mostVoted(votes: ReadonlyMap<Label, number>): Label {
  let best: Label = LABELS[0] as Label;
  let bestCount = -1;
  for (const [label, count] of votes) {
    if (count > bestCount) [best, bestCount] = [label, count];
  }
  return best;
}

/** The REPL-only solve step for a family; label families classify with `rules`. */
export function replOnlySolveCode(spec: SolveSpec, rules: KeywordRules): string {
  const head = `{
  // ${SOLVE_MARKER} (${spec.family}, repl-only)
  const text = typeof context === 'string' ? context : Array.isArray(context) ? context.join('\\n') : JSON.stringify(context);
  const RULES = ${json(rules.byOpening)};
  const FALLBACK = ${json(rules.fallback)};
  const classify = (instance) => RULES[instance.trim().split(/\\s+/).slice(0, 2).join(' ').toLowerCase()] || FALLBACK;
  const lines = text.split('\\n').filter((line) => line.startsWith('Date: '));
  const parsed = lines.map((line) => {
    const [datePart = '', userPart = '', ...rest] = line.split(' || ');
    return { date: datePart.replace('Date: ', ''), user: userPart.replace('User: ', '').trim(), instance: rest.join(' || ').replace('Instance: ', '') };
  });`;
  return `${head}\n${replOnlyBody(spec)}\n  print('${ANSWER_MARKER}' + JSON.stringify(String(finalAnswer)));\n  FINAL(String(finalAnswer));\n}`;
}

function replOnlyBody(spec: SolveSpec): string {
  switch (spec.family) {
    case 'needle':
      return `  const match = new RegExp(${json(`special magic numbers? for ${escapeRegExp(spec.key)}\\D{0,10}(\\d{7})`)}).exec(text);
  print(match ? 'found ' + match[1] : 'no match');
  const finalAnswer = match ? match[1] : 'NOT_FOUND';`;
    case 'oolong':
      return `  const question = ${json(spec.question)};
${oolongFilterCode()}
  const LABELS = ${json(LABELS)};
  const counts = Object.fromEntries(LABELS.map((label) => [label, 0]));
  for (const line of parsed) {
    if (users && !users.has(line.user)) continue;
    const day = dayOf(line.date);
    if (!(day >= from && day <= to)) continue;
    counts[classify(line.instance)] += 1;
  }
  print('label counts: ' + JSON.stringify(counts));
${oolongAnswerCode('finalAnswer')}`;
    case 'pairs':
      return `  const wanted = new Set(${json(spec.labels)});
  const users = new Set();
  for (const line of parsed) if (wanted.has(classify(line.instance))) users.add(Number(line.user));
  const sorted = [...users].sort((a, b) => a - b);
  const pairs = [];
  for (let i = 0; i < sorted.length; i += 1) {
    for (let j = i + 1; j < sorted.length; j += 1) pairs.push('(' + sorted[i] + ', ' + sorted[j] + ')');
  }
  print(sorted.length + ' users qualify, ' + pairs.length + ' pairs');
  const finalAnswer = pairs.join('\\n');`;
    case 'generic':
      return `  print('no model to read the text with; answering that the question cannot be settled by code alone');
  const finalAnswer = 'The context does not answer the question.';`;
  }
}
