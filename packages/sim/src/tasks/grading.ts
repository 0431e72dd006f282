/**
 * Exact graders shared by the task families. Scores are in [0, 1]:
 * numeric answers decay as 0.75^|error| (OOLONG), labels and words are exact
 * matches after normalisation, pair sets are scored by F1 (OOLONG-Pairs).
 */

/** Lowercase, strip punctuation and quotes, collapse whitespace. */
export function normaliseAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function exactMatchScore(expected: string, answerText: string): number {
  return normaliseAnswer(expected) === normaliseAnswer(answerText) ? 1 : 0;
}

/** The first number written in the text, or undefined. */
export function parseFirstNumber(text: string): number | undefined {
  const match = /-?\d+(?:\.\d+)?/.exec(text.replace(/(\d),(?=\d{3}\b)/g, '$1'));
  return match ? Number(match[0]) : undefined;
}

export function numericScore(expected: number, answerText: string): number {
  const given = parseFirstNumber(answerText);
  if (given === undefined) return 0;
  return 0.75 ** Math.abs(given - expected);
}

export type UserPair = readonly [number, number];

/** Pairs written as `(12, 34)` anywhere, or as `12, 34` alone on a line; each normalised to lower id first. */
export function parsePairs(text: string): UserPair[] {
  const pairs: UserPair[] = [];
  const add = (a: string | undefined, b: string | undefined): void => {
    const first = Number(a);
    const second = Number(b);
    pairs.push(first <= second ? [first, second] : [second, first]);
  };
  let sawParenthesised = false;
  for (const match of text.matchAll(/\(\s*(\d+)\s*,\s*(\d+)\s*\)/g)) {
    sawParenthesised = true;
    add(match[1], match[2]);
  }
  if (!sawParenthesised) {
    for (const match of text.matchAll(/^\s*(\d+)\s*,\s*(\d+)\s*$/gm)) add(match[1], match[2]);
  }
  return pairs;
}

export const pairKey = (pair: UserPair): string => `${pair[0]},${pair[1]}`;

export function pairF1Score(expected: readonly UserPair[], answerText: string): number {
  const truth = new Set(expected.map(pairKey));
  const predicted = new Set(parsePairs(answerText).map(pairKey));
  if (truth.size === 0 && predicted.size === 0) return 1;
  if (truth.size === 0 || predicted.size === 0) return 0;
  let hits = 0;
  for (const key of predicted) if (truth.has(key)) hits += 1;
  if (hits === 0) return 0;
  const precision = hits / predicted.size;
  const recall = hits / truth.size;
  return (2 * precision * recall) / (precision + recall);
}

/** The canonical text of a pair set: one `(a, b)` per line, sorted. */
export function formatPairs(pairs: readonly UserPair[]): string {
  return pairs.map(([first, second]) => `(${first}, ${second})`).join('\n');
}
