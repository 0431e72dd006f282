/**
 * The sub-call prompts the solver's code sends: one instruction line FIRST
 * (identical across chunks, so providers' prefix caches can hit) and the
 * material LAST. The same module renders and parses them, so the code the
 * solver writes and the answerer that reads its prompts cannot drift apart.
 */
import { isLabel, LABELS, type Label } from '../tasks/labels.ts';

export type SubcallInstruction =
  | { readonly family: 'needle'; readonly key: string }
  | { readonly family: 'oolong' }
  | { readonly family: 'pairs'; readonly labels: readonly Label[] }
  | { readonly family: 'generic'; readonly question: string };

/** One line, no newline: the material follows on the next line. */
export function renderSubcallInstruction(instruction: SubcallInstruction): string {
  switch (instruction.family) {
    case 'needle':
      return `Find the special magic number for ${instruction.key} in the text after this line. Reply with the 7-digit number only, or NOT_FOUND if the text does not contain it.`;
    case 'oolong':
      return `Classify the Instance of every line after this line with one of the labels: ${LABELS.join(', ')}. Reply with one line "<label>: <count>" per label.`;
    case 'pairs':
      return `List the user ids of the lines after this line whose Instance has the label ${instruction.labels.map((label) => `'${label}'`).join(' or ')}. Reply with the ids separated by commas, or NONE.`;
    case 'generic':
      return `Answer the question ${JSON.stringify(instruction.question)} using only the text after this line. Reply NO_ANSWER if the text does not say.`;
  }
}

/** Finds an instruction anywhere in `text` (e.g. in a child's context preview). */
export function findSubcallInstruction(text: string): SubcallInstruction | undefined {
  const needle = /Find the special magic number for (\S+) in the text after this line\./.exec(text);
  if (needle?.[1]) return { family: 'needle', key: needle[1] };
  if (/Classify the Instance of every line after this line with one of the labels: /.test(text)) {
    return { family: 'oolong' };
  }
  const pairs =
    /List the user ids of the lines after this line whose Instance has the label (.+?)\. Reply with the ids/.exec(
      text,
    );
  if (pairs?.[1]) {
    const labels = [...pairs[1].matchAll(/'([^']+)'/g)].map((named) => named[1] ?? '');
    if (labels.length > 0 && labels.every(isLabel)) return { family: 'pairs', labels };
  }
  const generic =
    /Answer the question ("(?:[^"\\]|\\.)*") using only the text after this line\./.exec(text);
  if (generic?.[1]) return { family: 'generic', question: JSON.parse(generic[1]) as string };
  return undefined;
}

/** Splits a sub-call prompt into its instruction (first line) and material (the rest). */
export function splitSubcallPrompt(prompt: string): {
  instruction: SubcallInstruction | undefined;
  material: string;
} {
  const newline = prompt.indexOf('\n');
  const firstLine = newline === -1 ? prompt : prompt.slice(0, newline);
  return {
    instruction: findSubcallInstruction(firstLine),
    material: newline === -1 ? '' : prompt.slice(newline + 1),
  };
}
