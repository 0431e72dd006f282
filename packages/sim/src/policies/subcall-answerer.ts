/**
 * Answers sub-call prompts from the text they carry, like a diligent small
 * model would: a regex for needles, the generator's own labelling function
 * for labels (optionally wrong with a fixed probability, deterministically per
 * line), and a short plain answer for anything it does not recognise.
 */
import { escapeRegExp } from '../text.ts';
import { fnv1a } from '../random.ts';
import { LABELS, labelOf, type Label } from '../tasks/labels.ts';
import { splitSubcallPrompt } from './subcall-instructions.ts';

export interface SubcallAnswererOptions {
  /** Probability of mislabelling a line; 0 = perfect. */
  readonly labelErrorRate: number;
  readonly seed: number;
  /** Probability that a whole reply is wrong, decided per prompt; default 0. */
  readonly subcallErrorRate?: number;
}

export const UNRECOGNISED_REPLY =
  'I am a simulated model and can only answer the synthetic task prompts.';

export function answerSubcall(prompt: string, options: SubcallAnswererOptions): string {
  const reply = correctReply(prompt, options);
  const errorRate = options.subcallErrorRate ?? 0;
  if (errorRate <= 0 || fnv1a(prompt, options.seed + 2) / 4_294_967_296 >= errorRate) return reply;
  return corruptReply(reply, fnv1a(prompt, options.seed + 3));
}

/**
 * A plausible wrong reply derived from the right one: a needle answer becomes
 * another number or a miss, label counts move by a few, a user list loses
 * its first id. Deterministic per prompt, so runs with a seed repeat.
 */
export function corruptReply(reply: string, draw: number): string {
  if (/^\d{7}$/.test(reply)) {
    return draw % 2 === 0 ? 'NOT_FOUND' : String(1_000_000 + (draw % 9_000_000));
  }
  if (reply.includes(': ')) {
    let line = 0;
    return reply.replace(/^(.+): (\d+)$/gm, (_, label: string, count: string) => {
      line += 1;
      const shift = ((draw >>> line) % 7) - 3;
      return `${label}: ${Math.max(0, Number(count) + shift)}`;
    });
  }
  if (/^\d+(, \d+)*$/.test(reply)) return reply.split(', ').slice(1).join(', ') || 'NONE';
  return reply;
}

function correctReply(prompt: string, options: SubcallAnswererOptions): string {
  const { instruction, material } = splitSubcallPrompt(prompt);
  if (!instruction) return UNRECOGNISED_REPLY;
  switch (instruction.family) {
    case 'needle': {
      const pattern = new RegExp(
        `One of the special magic numbers for ${escapeRegExp(instruction.key)} is: (\\d{7})`,
      );
      return pattern.exec(material)?.[1] ?? 'NOT_FOUND';
    }
    case 'oolong': {
      const counts = new Map<Label, number>(LABELS.map((label) => [label, 0]));
      for (const line of instanceLines(material)) {
        const label = noisyLabel(line.text, line.instance, options);
        counts.set(label, (counts.get(label) ?? 0) + 1);
      }
      return LABELS.map((label) => `${label}: ${counts.get(label) ?? 0}`).join('\n');
    }
    case 'pairs': {
      const wanted = new Set<Label>(instruction.labels);
      const users = new Set<number>();
      for (const line of instanceLines(material)) {
        if (line.user !== undefined && wanted.has(noisyLabel(line.text, line.instance, options)))
          users.add(line.user);
      }
      return users.size === 0 ? 'NONE' : [...users].sort((a, b) => a - b).join(', ');
    }
    case 'generic':
      return 'NO_ANSWER';
  }
}

interface InstanceLine {
  readonly text: string;
  readonly user: number | undefined;
  readonly instance: string;
}

function* instanceLines(material: string): Generator<InstanceLine> {
  for (const text of material.split('\n')) {
    const instanceAt = text.indexOf('|| Instance: ');
    if (instanceAt === -1) continue;
    const user = /\|\| User: (\d+)/.exec(text)?.[1];
    yield {
      text,
      user: user === undefined ? undefined : Number(user),
      instance: text.slice(instanceAt + 13),
    };
  }
}

/** labelOf, flipped to another label with probability labelErrorRate, decided by a hash of the whole line. */
export function noisyLabel(line: string, instance: string, options: SubcallAnswererOptions): Label {
  const label = labelOf(instance);
  if (options.labelErrorRate <= 0) return label;
  const roll = fnv1a(line, options.seed) / 4_294_967_296;
  if (roll >= options.labelErrorRate) return label;
  const shift = 1 + (fnv1a(line, options.seed + 1) % (LABELS.length - 1));
  return LABELS[(LABELS.indexOf(label) + shift) % LABELS.length] as Label;
}
