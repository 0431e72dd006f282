/**
 * The line corpus shared by OOLONG-style tasks:
 * `Date: {Mon DD, YYYY} || User: {id} || Instance: {text}`, one per line.
 * Besides the text, the generator returns compact per-line records (day,
 * user, label) so ground truth is computed without re-parsing the context.
 */
import type { Random } from '../random.ts';
import { generateInstance, LABELS, type Label } from './labels.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Lines are dated within these years (inclusive). */
const FIRST_YEAR = 2022;
const LAST_YEAR = 2024;

/** Every calendar day of the covered years, as `Mon DD, YYYY`, in order. */
export const DAYS: readonly string[] = (() => {
  const days: string[] = [];
  const cursor = new Date(Date.UTC(FIRST_YEAR, 0, 1));
  while (cursor.getUTCFullYear() <= LAST_YEAR) {
    const day = String(cursor.getUTCDate()).padStart(2, '0');
    days.push(`${MONTHS[cursor.getUTCMonth()]} ${day}, ${cursor.getUTCFullYear()}`);
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  return days;
})();

export interface LabelledCorpus {
  readonly text: string;
  /** Per line: index into DAYS. */
  readonly days: Uint16Array;
  /** Per line: index into `userIds`. */
  readonly users: Uint16Array;
  /** Per line: index into LABELS. */
  readonly labels: Uint8Array;
  readonly userIds: readonly number[];
}

export interface CorpusOptions {
  readonly contextChars: number;
  readonly userIds: readonly number[];
  /** Per user (same order as userIds), the labels that user may produce, with relative weights per label index. */
  readonly labelWeights: (userIndex: number) => readonly number[];
}

/** Distinct 5-digit user ids, sorted ascending so "lower id first" is easy to read. */
export function generateUserIds(random: Random, count: number): number[] {
  const ids = new Set<number>();
  while (ids.size < count) ids.add(random.between(10_000, 99_999));
  return [...ids].sort((a, b) => a - b);
}

/** Lines until the text reaches about `contextChars` characters (the last line may overshoot). */
export function generateCorpus(random: Random, options: CorpusOptions): LabelledCorpus {
  const cumulative = options.userIds.map((_, userIndex) => {
    const weights = options.labelWeights(userIndex);
    let total = 0;
    return weights.map((weight) => (total += weight));
  });
  const lines: string[] = [];
  const days: number[] = [];
  const users: number[] = [];
  const labels: number[] = [];
  let length = 0;
  while (length < options.contextChars) {
    const userIndex = random.int(options.userIds.length);
    const totals = cumulative[userIndex] ?? [];
    const roll = random.next() * (totals[totals.length - 1] ?? 0);
    let labelIndex = totals.findIndex((total) => roll < total);
    if (labelIndex < 0) labelIndex = 0;
    const dayIndex = random.int(DAYS.length);
    const instance = generateInstance(LABELS[labelIndex] as Label, random);
    const line = `Date: ${DAYS[dayIndex]} || User: ${options.userIds[userIndex]} || Instance: ${instance}`;
    lines.push(line);
    days.push(dayIndex);
    users.push(userIndex);
    labels.push(labelIndex);
    length += line.length + 1;
  }
  return {
    text: lines.join('\n'),
    days: Uint16Array.from(days),
    users: Uint16Array.from(users),
    labels: Uint8Array.from(labels),
    userIds: options.userIds,
  };
}

export const LINE_FORMAT_DESCRIPTION =
  'Each line of the context has the form `Date: <Mon DD, YYYY> || User: <user id> || Instance: <question>`. ' +
  `Every instance can be classified with exactly one of these labels: ${LABELS.join(', ')}.`;
