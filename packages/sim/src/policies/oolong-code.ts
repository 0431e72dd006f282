/**
 * Pieces of generated JavaScript that both oolong solvers (with sub-calls and REPL-only)
 * write the same way: the user/date filter a question carries, and the step that turns
 * label counts into the answer the question asks for. The code expects `question`
 * (and, for the answer, `LABELS` and `counts`) to be declared before it.
 */

/** Declares `dayOf`, `users`, `from` and `to` for the question's user and date filters. */
export function oolongFilterCode(): string {
  return `  const MONTHS = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
  const dayOf = (date) => {
    const match = /^(\\w{3}) (\\d{2}), (\\d{4})$/.exec(date.trim());
    return match ? Date.UTC(Number(match[3]), MONTHS[match[1]], Number(match[2])) : NaN;
  };
  const users = question.users ? new Set(question.users.map(String)) : null;
  const from = question.dateFrom ? dayOf(question.dateFrom) : -Infinity;
  const to = question.dateTo ? dayOf(question.dateTo) : Infinity;`;
}

/** Declares `variable` and sets it to the answer the question's kind asks of `counts`. */
export function oolongAnswerCode(variable: string): string {
  return `  let ${variable};
  if (question.kind === 'count') ${variable} = counts[question.label];
  else if (question.kind === 'most-common') ${variable} = LABELS.reduce((best, label) => (counts[label] > counts[best] ? label : best));
  else if (question.kind === 'least-common') ${variable} = LABELS.reduce((best, label) => (counts[label] < counts[best] ? label : best));
  else {
    const difference = counts[question.label] - counts[question.otherLabel];
    ${variable} = difference > 0 ? 'more' : difference < 0 ? 'less' : 'same';
  }`;
}
