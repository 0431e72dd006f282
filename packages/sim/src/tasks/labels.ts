/**
 * The six labels of OOLONG-style tasks (TREC coarse classes) and the one
 * deterministic labelling function. Every instance text is built from a
 * label-specific template whose opening phrase belongs to that label alone, so
 * `labelOf` recovers the label exactly; the solver's sub-call answerer uses the
 * same function (optionally with noise) to play a classifier.
 */
import type { Random } from '../random.ts';

export const LABELS = [
  'numeric value',
  'location',
  'entity',
  'description and abstract concept',
  'abbreviation',
  'human being',
] as const;
export type Label = (typeof LABELS)[number];

export const isLabel = (text: string): text is Label =>
  (LABELS as readonly string[]).includes(text);

const PLACES = [
  'Peru',
  'Norway',
  'Kenya',
  'Ohio',
  'Tasmania',
  'Bavaria',
  'Quebec',
  'Sicily',
  'Nepal',
  'Chile',
  'Morocco',
  'Iceland',
  'Vietnam',
  'Texas',
  'Portugal',
  'Mongolia',
];
const PLURALS = [
  'penguins',
  'dentists',
  'lighthouses',
  'bicycles',
  'volcanoes',
  'libraries',
  'bees',
  'islands',
];
const THINGS = [
  'telescope',
  'zipper',
  'microwave oven',
  'barometer',
  'typewriter',
  'compass',
  'sewing machine',
  'parachute',
  'thermometer',
  'printing press',
  'stethoscope',
  'escalator',
];
const LANDMARKS = [
  'Eiffel Tower',
  'Golden Gate Bridge',
  'Taj Mahal',
  'Alhambra',
  'Colosseum',
  'Angkor Wat',
  'Petra',
];
const EVENTS = [
  'the first moon landing',
  'the Treaty of Utrecht',
  'the Great Fire of London',
  'the Gold Rush',
  'the founding of the Red Cross',
];
const CATEGORIES = ['fruit', 'bird', 'tree', 'gemstone', 'dance', 'cheese', 'fabric'];
const CONCEPTS = [
  'nostalgia',
  'entropy',
  'irony',
  'democracy',
  'inflation',
  'karma',
  'photosynthesis',
  'empathy',
];
const ACRONYMS = [
  'NATO',
  'UNESCO',
  'NASA',
  'OPEC',
  'LASER',
  'RADAR',
  'SCUBA',
  'CPU',
  'HTML',
  'GDP',
];
const ORGANISATIONS = [
  'World Health Organization',
  'European Central Bank',
  'International Labour Organization',
  'National Park Service',
];
const ACHIEVEMENTS = [
  'climb Everest',
  'fly across the Atlantic',
  'reach the South Pole',
  'swim the Channel',
  'split the atom',
];
const WORKS = ['Don Quixote', 'The Odyssey', 'Moby Dick', 'War and Peace', 'Faust', 'Beloved'];
const LETTERS = ['B', 'D', 'K', 'M', 'P', 'S', 'T'];

type InstanceTemplate = (random: Random) => string;

/** Opening phrase -> label; a template for a label starts with one of its phrases. */
export const LABEL_PREFIXES: readonly (readonly [string, Label])[] = [
  ['How many ', 'numeric value'],
  ['What year did ', 'numeric value'],
  ['How much does ', 'numeric value'],
  ['What is the population of ', 'numeric value'],
  ['Where is ', 'location'],
  ['What country borders ', 'location'],
  ['In which city was ', 'location'],
  ['Which river flows through ', 'location'],
  ['What kind of ', 'entity'],
  ['Which animal is known as ', 'entity'],
  ['Name a ', 'entity'],
  ['What is the meaning of ', 'description and abstract concept'],
  ['Why do ', 'description and abstract concept'],
  ['How does ', 'description and abstract concept'],
  ['What is the difference between ', 'description and abstract concept'],
  ['What does ', 'abbreviation'],
  ['What is the abbreviation for ', 'abbreviation'],
  ['What is the full form of ', 'abbreviation'],
  ['Who invented ', 'human being'],
  ['Who was the first person to ', 'human being'],
  ['Name the author who wrote ', 'human being'],
];

const TEMPLATES: Readonly<Record<Label, readonly InstanceTemplate[]>> = {
  'numeric value': [
    (r) => `How many ${r.pick(PLURALS)} are there in ${r.pick(PLACES)}?`,
    (r) => `What year did ${r.pick(EVENTS)} happen?`,
    (r) => `How much does a ${r.pick(THINGS)} weigh?`,
    (r) => `What is the population of ${r.pick(PLACES)}?`,
  ],
  location: [
    (r) => `Where is the ${r.pick(LANDMARKS)}?`,
    (r) => `What country borders ${r.pick(PLACES)}?`,
    (r) => `In which city was the ${r.pick(THINGS)} first sold?`,
    (r) => `Which river flows through ${r.pick(PLACES)}?`,
  ],
  entity: [
    (r) => `What kind of ${r.pick(CATEGORIES)} grows in ${r.pick(PLACES)}?`,
    (r) => `Which animal is known as the king of ${r.pick(PLACES)}?`,
    (r) => `Name a ${r.pick(CATEGORIES)} that starts with the letter ${r.pick(LETTERS)}.`,
  ],
  'description and abstract concept': [
    (r) => `What is the meaning of ${r.pick(CONCEPTS)}?`,
    (r) => `Why do ${r.pick(PLURALS)} matter to ${r.pick(PLACES)}?`,
    (r) => `How does a ${r.pick(THINGS)} work?`,
    (r) => `What is the difference between ${r.pick(CONCEPTS)} and ${r.pick(CONCEPTS)}?`,
  ],
  abbreviation: [
    (r) => `What does ${r.pick(ACRONYMS)} stand for?`,
    (r) => `What is the abbreviation for the ${r.pick(ORGANISATIONS)}?`,
    (r) => `What is the full form of ${r.pick(ACRONYMS)}?`,
  ],
  'human being': [
    (r) => `Who invented the ${r.pick(THINGS)}?`,
    (r) => `Who was the first person to ${r.pick(ACHIEVEMENTS)}?`,
    (r) => `Name the author who wrote ${r.pick(WORKS)}.`,
  ],
};

/** A fresh instance text whose `labelOf` is `label`. */
export function generateInstance(label: Label, random: Random): string {
  return random.pick(TEMPLATES[label])(random);
}

/**
 * The labelling function: recovers the label of any generated instance text.
 * Texts that match no known opening (never produced by the generators) fall
 * back to 'description and abstract concept', the catch-all class.
 */
export function labelOf(instanceText: string): Label {
  const text = instanceText.trimStart();
  for (const [prefix, label] of LABEL_PREFIXES) {
    if (text.startsWith(prefix)) return label;
  }
  return 'description and abstract concept';
}
