/**
 * S-NIAH in RULER's format: filler text with one needle sentence
 * `One of the special magic numbers for {key} is: {7 digits}.` at a chosen
 * depth, optionally with distractor needles for other keys.
 */
import { createRandom, deriveSeed } from '../random.ts';
import { generateFiller, KEY_ADJECTIVES, KEY_NOUNS } from './filler.ts';

export interface NeedleTaskOptions {
  readonly seed: number;
  /** Approximate size of the context in characters. */
  readonly contextChars: number;
  /** Where the needle sits, as a fraction of the context (0 = start, 1 = end); default: drawn from the seed. */
  readonly depth?: number;
  /** Needles for other keys, placed at random depths; default 0 (plain S-NIAH). */
  readonly distractors?: number;
}

export interface NeedleTask {
  readonly family: 'needle';
  readonly seed: number;
  readonly context: string;
  readonly query: string;
  /** The 7-digit number, as text. */
  readonly answer: string;
  /** An answer text the grader scores 1. */
  readonly expectedAnswerText: string;
  readonly key: string;
  readonly depth: number;
}

export const needleSentence = (key: string, value: string): string =>
  `One of the special magic numbers for ${key} is: ${value}.`;

export const renderNeedleQuery = (key: string): string =>
  `What is the special magic number for ${key} mentioned in the provided text?`;

/** The key a needle query asks about, or undefined when the text is not a needle query. */
export function parseNeedleQuery(query: string): { key: string } | undefined {
  const match = /What is the special magic number for (\S+) mentioned in the provided text\?/.exec(
    query,
  );
  return match?.[1] ? { key: match[1] } : undefined;
}

export function generateNeedleTask(options: NeedleTaskOptions): NeedleTask {
  const random = createRandom(deriveSeed(options.seed, 'needle'));
  const depth = options.depth ?? random.next();
  if (depth < 0 || depth > 1) throw new RangeError(`depth must be within 0..1, got ${depth}`);
  const distractorCount = options.distractors ?? 0;

  const keys = new Set<string>();
  while (keys.size < distractorCount + 1) {
    keys.add(`${random.pick(KEY_ADJECTIVES)}-${random.pick(KEY_NOUNS)}`);
  }
  const [key, ...distractorKeys] = [...keys] as [string, ...string[]];
  const numberFor = (): string => String(random.between(1_000_000, 9_999_999));
  const answer = numberFor();

  const needles = [{ depth, text: needleSentence(key, answer) }];
  for (const distractorKey of distractorKeys) {
    needles.push({ depth: random.next(), text: needleSentence(distractorKey, numberFor()) });
  }
  const needleChars = needles.reduce((sum, needle) => sum + needle.text.length + 1, 0);
  const filler = generateFiller(options.seed, Math.max(0, options.contextChars - needleChars));

  // Place each needle at the sentence boundary after its depth, then stitch once.
  const placed = needles
    .map((needle) => ({ position: sentenceBoundaryAfter(filler, needle.depth), text: needle.text }))
    .sort((a, b) => a.position - b.position);
  const parts: string[] = [];
  let cursor = 0;
  for (const needle of placed) {
    const atEnd = needle.position === filler.length;
    parts.push(
      filler.slice(cursor, needle.position),
      atEnd ? ` ${needle.text}` : `${needle.text} `,
    );
    cursor = needle.position;
  }
  parts.push(filler.slice(cursor));
  return {
    family: 'needle',
    seed: options.seed,
    context: parts.join(''),
    query: renderNeedleQuery(key),
    answer,
    expectedAnswerText: answer,
    key,
    depth,
  };
}

/** The index just after the first ". " at or past `depth` of the text (or the end). */
function sentenceBoundaryAfter(text: string, depth: number): number {
  const target = Math.floor(depth * text.length);
  if (target <= 0) return 0;
  const stop = text.indexOf('. ', target);
  return stop === -1 ? text.length : stop + 2;
}

export function gradeNeedleAnswer(task: Pick<NeedleTask, 'answer'>, answerText: string): number {
  return answerText.includes(task.answer) ? 1 : 0;
}
