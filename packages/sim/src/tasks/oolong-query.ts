/**
 * The OOLONG-style question: its data shape, how it is written into the query
 * text, and the parser that reads it back (the solver policy relies on the
 * round trip; a test pins it).
 */
import { isLabel, type Label } from './labels.ts';
import { LINE_FORMAT_DESCRIPTION } from './labelled-lines.ts';

export type OolongQuestionKind = 'count' | 'most-common' | 'least-common' | 'compare';
export const OOLONG_QUESTION_KINDS: readonly OolongQuestionKind[] = [
  'count',
  'most-common',
  'least-common',
  'compare',
];

/** Restricts which lines a question is about; absent members mean no restriction. */
export interface OolongFilter {
  readonly users?: readonly number[];
  /** Inclusive bounds, as `Mon DD, YYYY`. */
  readonly dateFrom?: string;
  readonly dateTo?: string;
}

export type OolongQuestion = OolongFilter &
  (
    | { readonly kind: 'count'; readonly label: Label }
    | { readonly kind: 'most-common' }
    | { readonly kind: 'least-common' }
    | { readonly kind: 'compare'; readonly label: Label; readonly otherLabel: Label }
  );

export function renderFilterLines(filter: OolongFilter): string[] {
  const lines: string[] = [];
  if (filter.users) lines.push(`Only consider lines from the users ${filter.users.join(', ')}.`);
  if (filter.dateFrom && filter.dateTo) {
    lines.push(
      `Only consider lines dated from ${filter.dateFrom} to ${filter.dateTo} (inclusive).`,
    );
  }
  return lines;
}

export function renderOolongQuery(question: OolongQuestion): string {
  const lines = [LINE_FORMAT_DESCRIPTION, ...renderFilterLines(question)];
  switch (question.kind) {
    case 'count':
      lines.push(
        `Question: How many instances should be classified as '${question.label}'? Answer with a number.`,
      );
      break;
    case 'most-common':
      lines.push('Question: Which label is the most common? Answer with the label only.');
      break;
    case 'least-common':
      lines.push('Question: Which label is the least common? Answer with the label only.');
      break;
    case 'compare':
      lines.push(
        `Question: Is the label '${question.label}' more common, less common, or the same frequency as the label '${question.otherLabel}'? Answer with one word: more, less, or same.`,
      );
      break;
  }
  return lines.join('\n');
}

export function parseFilter(query: string): OolongFilter {
  const users = /Only consider lines from the users ([\d, ]+)\./.exec(query)?.[1];
  const dates =
    /Only consider lines dated from (\w{3} \d{2}, \d{4}) to (\w{3} \d{2}, \d{4}) \(inclusive\)\./.exec(
      query,
    );
  return {
    ...(users ? { users: users.split(',').map((id) => Number(id.trim())) } : {}),
    ...(dates?.[1] && dates[2] ? { dateFrom: dates[1], dateTo: dates[2] } : {}),
  };
}

/** The question a query asks, or undefined when it is not an OOLONG query of ours. */
export function parseOolongQuery(query: string): OolongQuestion | undefined {
  if (!query.includes(LINE_FORMAT_DESCRIPTION)) return undefined;
  const filter = parseFilter(query);
  const count = /Question: How many instances should be classified as '([^']+)'\?/.exec(query);
  if (count?.[1] && isLabel(count[1])) return { ...filter, kind: 'count', label: count[1] };
  if (query.includes('Question: Which label is the most common?'))
    return { ...filter, kind: 'most-common' };
  if (query.includes('Question: Which label is the least common?'))
    return { ...filter, kind: 'least-common' };
  const compare =
    /Question: Is the label '([^']+)' more common, less common, or the same frequency as the label '([^']+)'\?/.exec(
      query,
    );
  if (compare?.[1] && compare[2] && isLabel(compare[1]) && isLabel(compare[2])) {
    return { ...filter, kind: 'compare', label: compare[1], otherLabel: compare[2] };
  }
  return undefined;
}
