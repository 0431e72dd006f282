/**
 * OOLONG-style label aggregation: labelled lines plus a counting,
 * most/least-common or comparison question, optionally restricted to some
 * users or a date range. Ground truth comes from the generator's records.
 */
import { createRandom, deriveSeed, type Random } from '../random.ts';
import { exactMatchScore, numericScore } from './grading.ts';
import { LABELS, type Label } from './labels.ts';
import { DAYS, generateCorpus, generateUserIds, type LabelledCorpus } from './labelled-lines.ts';
import {
  OOLONG_QUESTION_KINDS,
  renderOolongQuery,
  type OolongFilter,
  type OolongQuestion,
  type OolongQuestionKind,
} from './oolong-query.ts';

export interface OolongTaskOptions {
  readonly seed: number;
  /** Approximate size of the context in characters. */
  readonly contextChars: number;
  /** Distinct users in the data; default 50 (enough for user filters to select a real subset). */
  readonly users?: number;
  /** Default: drawn from the seed. */
  readonly questionKind?: OolongQuestionKind;
  /** Restrict the question to a few users; default: drawn from the seed (30%). */
  readonly userFilter?: boolean;
  /** Restrict the question to a date range; default: drawn from the seed (30%). */
  readonly dateFilter?: boolean;
}

export interface OolongTask {
  readonly family: 'oolong';
  readonly seed: number;
  readonly context: string;
  readonly query: string;
  readonly question: OolongQuestion;
  /** A count for 'count' questions; a label, or more/less/same, otherwise. */
  readonly answer: number | string;
  readonly expectedAnswerText: string;
  /** Per-label counts over the lines the question considers. */
  readonly labelCounts: Readonly<Record<Label, number>>;
}

export function generateOolongTask(options: OolongTaskOptions): OolongTask {
  const random = createRandom(deriveSeed(options.seed, 'oolong'));
  const userIds = generateUserIds(random, options.users ?? 50);
  // Skewed label frequencies (weights 1..6) make most/least-common questions meaningful.
  const weights = LABELS.map(() => random.between(1, 6));
  const corpus = generateCorpus(random, {
    contextChars: options.contextChars,
    userIds,
    labelWeights: () => weights,
  });

  const questionRandom = createRandom(deriveSeed(options.seed, 'oolong-question'));
  const filter = chooseFilter(questionRandom, userIds, options);
  const counts = countLabels(corpus, filter);
  const kind = options.questionKind ?? questionRandom.pick(OOLONG_QUESTION_KINDS);
  const { question, answer } = chooseQuestion(questionRandom, kind, filter, counts);
  return {
    family: 'oolong',
    seed: options.seed,
    context: corpus.text,
    query: renderOolongQuery(question),
    question,
    answer,
    expectedAnswerText: String(answer),
    labelCounts: counts,
  };
}

function chooseFilter(
  random: Random,
  userIds: readonly number[],
  options: OolongTaskOptions,
): OolongFilter {
  const useUsers = options.userFilter ?? random.chance(0.3);
  const useDates = options.dateFilter ?? random.chance(0.3);
  let filter: OolongFilter = {};
  if (useUsers) {
    const size = Math.min(userIds.length, random.between(3, 8));
    filter = {
      ...filter,
      users: random
        .shuffle(userIds)
        .slice(0, size)
        .sort((a, b) => a - b),
    };
  }
  if (useDates) {
    // A window of 3..15 months somewhere in the covered years.
    const span = random.between(90, 450);
    const start = random.int(DAYS.length - span);
    filter = { ...filter, dateFrom: DAYS[start] as string, dateTo: DAYS[start + span] as string };
  }
  return filter;
}

export function countLabels(corpus: LabelledCorpus, filter: OolongFilter): Record<Label, number> {
  const allowedUsers = filter.users ? new Set(filter.users) : undefined;
  const fromDay = filter.dateFrom ? DAYS.indexOf(filter.dateFrom) : 0;
  const toDay = filter.dateTo ? DAYS.indexOf(filter.dateTo) : DAYS.length - 1;
  const perLabel = new Array<number>(LABELS.length).fill(0);
  for (let line = 0; line < corpus.labels.length; line += 1) {
    const day = corpus.days[line] as number;
    if (day < fromDay || day > toDay) continue;
    if (allowedUsers && !allowedUsers.has(corpus.userIds[corpus.users[line] as number] as number))
      continue;
    perLabel[corpus.labels[line] as number] = (perLabel[corpus.labels[line] as number] ?? 0) + 1;
  }
  return Object.fromEntries(LABELS.map((label, index) => [label, perLabel[index] ?? 0])) as Record<
    Label,
    number
  >;
}

/** Picks the question; most/least-common fall back to a count question when the extreme is tied. */
function chooseQuestion(
  random: Random,
  kind: OolongQuestionKind,
  filter: OolongFilter,
  counts: Record<Label, number>,
): { question: OolongQuestion; answer: number | string } {
  const label = random.pick(LABELS);
  const ranked = [...LABELS].sort((a, b) => counts[b] - counts[a]);
  switch (kind) {
    case 'most-common': {
      const [first, second] = ranked as [Label, Label];
      if (counts[first] !== counts[second]) return { question: { ...filter, kind }, answer: first };
      break;
    }
    case 'least-common': {
      const last = ranked[ranked.length - 1] as Label;
      const beforeLast = ranked[ranked.length - 2] as Label;
      if (counts[last] !== counts[beforeLast])
        return { question: { ...filter, kind }, answer: last };
      break;
    }
    case 'compare': {
      const otherLabel = random.pick(LABELS.filter((candidate) => candidate !== label));
      const difference = counts[label] - counts[otherLabel];
      const answer = difference > 0 ? 'more' : difference < 0 ? 'less' : 'same';
      return { question: { ...filter, kind, label, otherLabel }, answer };
    }
    case 'count':
      break;
  }
  return { question: { ...filter, kind: 'count', label }, answer: counts[label] };
}

export function gradeOolongAnswer(task: Pick<OolongTask, 'answer'>, answerText: string): number {
  return typeof task.answer === 'number'
    ? numericScore(task.answer, answerText)
    : exactMatchScore(task.answer, answerText);
}
