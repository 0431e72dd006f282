/**
 * OOLONG-Pairs style: the same labelled lines, and a question asking for every
 * pair of users who both have at least one instance with one of the named
 * labels. Users are given sparse label repertoires so the answer is a real
 * subset of all pairs. Scored by F1 over the set of pairs.
 */
import { createRandom, deriveSeed } from '../random.ts';
import { formatPairs, pairF1Score, type UserPair } from './grading.ts';
import { isLabel, LABELS, type Label } from './labels.ts';
import { generateCorpus, generateUserIds, LINE_FORMAT_DESCRIPTION } from './labelled-lines.ts';

export interface PairsTaskOptions {
  readonly seed: number;
  /** Approximate size of the context in characters. */
  readonly contextChars: number;
  /** Distinct users; default 40 (at most ~780 pairs, a readable answer). */
  readonly users?: number;
  /** One or two labels; a pair qualifies when both users have an instance with any of them. Default: drawn from the seed. */
  readonly labels?: readonly Label[];
}

export interface PairsTask {
  readonly family: 'pairs';
  readonly seed: number;
  readonly context: string;
  readonly query: string;
  readonly labels: readonly Label[];
  /** Sorted pairs, lower id first. */
  readonly answer: readonly UserPair[];
  readonly expectedAnswerText: string;
}

/** Each label is in a user's repertoire with this probability (at least one label always is). */
const LABEL_PROBABILITY = 0.35;

export function renderPairsQuery(labels: readonly Label[]): string {
  const named = labels.map((label) => `'${label}'`).join(' or ');
  return [
    LINE_FORMAT_DESCRIPTION,
    `Question: List all pairs of user ids where both users have at least one instance with the label ${named}. ` +
      'Write each pair as (lower id, higher id) on its own line.',
  ].join('\n');
}

/** The labels a pairs query names, or undefined when the text is not a pairs query of ours. */
export function parsePairsQuery(query: string): { labels: Label[] } | undefined {
  if (!query.includes(LINE_FORMAT_DESCRIPTION)) return undefined;
  const match =
    /Question: List all pairs of user ids where both users have at least one instance with the label (.+?)\. Write each pair/.exec(
      query,
    );
  if (!match?.[1]) return undefined;
  const labels = [...match[1].matchAll(/'([^']+)'/g)].map((named) => named[1] ?? '');
  return labels.length > 0 && labels.every(isLabel) ? { labels } : undefined;
}

export function generatePairsTask(options: PairsTaskOptions): PairsTask {
  const random = createRandom(deriveSeed(options.seed, 'pairs'));
  const userIds = generateUserIds(random, options.users ?? 40);
  const repertoires = userIds.map(() => {
    const weights: number[] = LABELS.map(() =>
      random.chance(LABEL_PROBABILITY) ? random.between(1, 4) : 0,
    );
    if (!weights.some((weight) => weight > 0)) weights[random.int(LABELS.length)] = 1;
    return weights;
  });
  const corpus = generateCorpus(random, {
    contextChars: options.contextChars,
    userIds,
    labelWeights: (userIndex) => repertoires[userIndex] ?? [],
  });

  const labels = options.labels ?? random.shuffle(LABELS).slice(0, random.chance(0.5) ? 1 : 2);
  const wanted = new Set(labels.map((label) => LABELS.indexOf(label)));
  const qualifying = new Set<number>();
  for (let line = 0; line < corpus.labels.length; line += 1) {
    if (wanted.has(corpus.labels[line] as number))
      qualifying.add(userIds[corpus.users[line] as number] as number);
  }
  const users = [...qualifying].sort((a, b) => a - b);
  const answer: UserPair[] = [];
  for (let first = 0; first < users.length; first += 1) {
    for (let second = first + 1; second < users.length; second += 1) {
      answer.push([users[first] as number, users[second] as number]);
    }
  }
  return {
    family: 'pairs',
    seed: options.seed,
    context: corpus.text,
    query: renderPairsQuery(labels),
    labels,
    answer,
    expectedAnswerText: formatPairs(answer),
  };
}

export function gradePairsAnswer(task: Pick<PairsTask, 'answer'>, answerText: string): number {
  return pairF1Score(task.answer, answerText);
}
