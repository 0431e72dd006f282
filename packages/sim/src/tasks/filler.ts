/**
 * Essay-like filler text for needle tasks. Sentences are built from word lists
 * into a seeded pool once, then paragraphs draw from the pool: one PRNG call per
 * ~80 characters keeps 100 MB generation in the range of a second or two.
 * The vocabulary never contains the needle phrase ("special magic number").
 */
import { createRandom, type Random } from '../random.ts';

const NOUNS = [
  'garden',
  'river',
  'market',
  'library',
  'engine',
  'harbor',
  'village',
  'theory',
  'journey',
  'window',
  'teacher',
  'archive',
  'bridge',
  'forest',
  'machine',
  'season',
  'letter',
  'council',
  'painter',
  'valley',
  'signal',
  'kitchen',
  'lantern',
  'festival',
  'harvest',
  'mountain',
  'network',
  'orchestra',
  'question',
  'workshop',
  'ledger',
  'compass',
  'meadow',
  'student',
] as const;
const ADJECTIVES = [
  'quiet',
  'ancient',
  'careful',
  'bright',
  'narrow',
  'patient',
  'curious',
  'distant',
  'gentle',
  'steady',
  'modern',
  'hidden',
  'simple',
  'restless',
  'golden',
  'humble',
  'sudden',
  'familiar',
  'broad',
  'fragile',
  'honest',
  'crowded',
  'silent',
  'vivid',
] as const;
const VERBS = [
  'shapes',
  'follows',
  'remembers',
  'changes',
  'carries',
  'explains',
  'reflects',
  'supports',
  'reveals',
  'protects',
  'connects',
  'measures',
  'invites',
  'resists',
  'gathers',
  'builds',
] as const;
const ADVERBS = [
  'slowly',
  'quietly',
  'often',
  'rarely',
  'gradually',
  'suddenly',
  'carefully',
  'usually',
  'seldom',
  'eventually',
  'clearly',
  'deliberately',
] as const;
const OPENERS = [
  'In the end',
  'For most people',
  'Over the years',
  'At first glance',
  'In practice',
  'Without a doubt',
  'As a rule',
  'On reflection',
  'By contrast',
  'In many towns',
] as const;

type SentenceBuilder = (random: Random) => string;

const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

const SENTENCE_BUILDERS: readonly SentenceBuilder[] = [
  (r) =>
    `The ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} ${r.pick(VERBS)} the ${r.pick(NOUNS)} near the ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)}.`,
  (r) =>
    `${r.pick(OPENERS)}, every ${r.pick(NOUNS)} ${r.pick(ADVERBS)} ${r.pick(VERBS)} a ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)}.`,
  (r) =>
    `${capitalise(r.pick(ADVERBS))}, a ${r.pick(NOUNS)} ${r.pick(VERBS)} what the ${r.pick(NOUNS)} cannot say.`,
  (r) =>
    `Nobody expected the ${r.pick(NOUNS)} to be so ${r.pick(ADJECTIVES)}, yet it ${r.pick(VERBS)} the ${r.pick(NOUNS)} all the same.`,
  (r) =>
    `If a ${r.pick(NOUNS)} is ${r.pick(ADJECTIVES)}, then the ${r.pick(NOUNS)} ${r.pick(ADVERBS)} ${r.pick(VERBS)} its ${r.pick(NOUNS)}.`,
  (r) =>
    `${r.pick(OPENERS)}, the story of the ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} ${r.pick(VERBS)} the ${r.pick(NOUNS)} of the ${r.pick(NOUNS)}.`,
];

/** Distinct sentences drawn per seed; paragraphs sample from this pool. */
const SENTENCE_POOL_SIZE = 2048;

export function createSentencePool(seed: number): string[] {
  const random = createRandom(seed);
  const pool: string[] = [];
  for (let index = 0; index < SENTENCE_POOL_SIZE; index += 1) {
    pool.push(random.pick(SENTENCE_BUILDERS)(random));
  }
  return pool;
}

/**
 * About `chars` characters of paragraphs separated by blank lines, cut at the
 * last sentence end that fits (so the result may be a little shorter).
 */
export function generateFiller(seed: number, chars: number): string {
  const random = createRandom(seed ^ 0x5eed);
  const pool = createSentencePool(seed);
  const parts: string[] = [];
  let length = 0;
  while (length < chars) {
    const sentences = random.between(4, 9);
    for (let index = 0; index < sentences; index += 1) {
      const sentence = random.pick(pool);
      parts.push(index === 0 ? sentence : ` ${sentence}`);
      length += sentence.length + (index === 0 ? 0 : 1);
    }
    parts.push('\n\n');
    length += 2;
  }
  const text = parts.join('');
  if (text.length <= chars) return text;
  const lastStop = text.lastIndexOf('.', chars - 1);
  return lastStop > 0 ? text.slice(0, lastStop + 1) : text.slice(0, chars);
}

/** Word lists other generators reuse for keys (e.g. `quiet-harbor`). */
export const KEY_ADJECTIVES = ADJECTIVES;
export const KEY_NOUNS = NOUNS;
