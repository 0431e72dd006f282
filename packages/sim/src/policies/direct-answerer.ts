/**
 * Answers the direct baseline's prompt from the document it carries, and from
 * nothing else: a regex for needles, label counting and pair finding on the
 * lines it was given (with the configured labelling error). A truncated
 * document therefore yields the answer for the part that was kept.
 */
import { DAYS } from '../tasks/labelled-lines.ts';
import { LABELS, type Label } from '../tasks/labels.ts';
import type { OolongQuestion } from '../tasks/oolong-query.ts';
import { escapeRegExp } from '../text.ts';
import { parseSolveSpec } from './solver-code.ts';
import { noisyLabel, type SubcallAnswererOptions } from './subcall-answerer.ts';

export function answerDirect(
  document: string,
  question: string,
  options: SubcallAnswererOptions,
): string {
  const spec = parseSolveSpec(question);
  switch (spec.family) {
    case 'needle': {
      const pattern = new RegExp(
        `One of the special magic numbers for ${escapeRegExp(spec.key)} is: (\\d{7})`,
      );
      return pattern.exec(document)?.[1] ?? 'NOT_FOUND';
    }
    case 'oolong':
      return answerOolong(spec.question, labelledLines(document, options));
    case 'pairs': {
      const wanted = new Set<Label>(spec.labels);
      const users = [
        ...new Set(
          labelledLines(document, options)
            .filter((line) => wanted.has(line.label))
            .map((line) => line.user),
        ),
      ].sort((a, b) => a - b);
      const pairs: string[] = [];
      for (let first = 0; first < users.length; first += 1) {
        for (let second = first + 1; second < users.length; second += 1) {
          pairs.push(`(${users[first]}, ${users[second]})`);
        }
      }
      return pairs.length === 0 ? 'NONE' : pairs.join('\n');
    }
    case 'generic':
      return 'NO_ANSWER';
  }
}

interface LabelledLine {
  readonly day: number;
  readonly user: number;
  readonly label: Label;
}

function labelledLines(document: string, options: SubcallAnswererOptions): LabelledLine[] {
  const lines: LabelledLine[] = [];
  for (const text of document.split('\n')) {
    const match = /^Date: (\w{3} \d{2}, \d{4}) \|\| User: (\d+) \|\| Instance: (.*)$/.exec(text);
    if (!match) continue;
    const [, date = '', user = '', instance = ''] = match;
    lines.push({
      day: DAYS.indexOf(date),
      user: Number(user),
      label: noisyLabel(text, instance, options),
    });
  }
  return lines;
}

function answerOolong(question: OolongQuestion, lines: readonly LabelledLine[]): string {
  const users = question.users ? new Set(question.users) : undefined;
  const from = question.dateFrom ? DAYS.indexOf(question.dateFrom) : 0;
  const to = question.dateTo ? DAYS.indexOf(question.dateTo) : DAYS.length - 1;
  const counts = new Map<Label, number>(LABELS.map((label) => [label, 0]));
  for (const line of lines) {
    if (users && !users.has(line.user)) continue;
    if (line.day < from || line.day > to) continue;
    counts.set(line.label, (counts.get(line.label) ?? 0) + 1);
  }
  const count = (label: Label): number => counts.get(label) ?? 0;
  switch (question.kind) {
    case 'count':
      return String(count(question.label));
    case 'most-common':
      return LABELS.reduce((best, label) => (count(label) > count(best) ? label : best));
    case 'least-common':
      return LABELS.reduce((best, label) => (count(label) < count(best) ? label : best));
    case 'compare': {
      const difference = count(question.label) - count(question.otherLabel);
      return difference > 0 ? 'more' : difference < 0 ? 'less' : 'same';
    }
  }
}
