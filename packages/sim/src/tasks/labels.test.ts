import { describe, expect, it } from 'vitest';
import { createRandom } from '../random.ts';
import { generateInstance, LABEL_PREFIXES, LABELS, labelOf } from './labels.ts';
import { generateOolongTask } from './oolong.ts';

describe('labelOf', () => {
  it('recovers the label of every generated instance', () => {
    const random = createRandom(11);
    for (const label of LABELS) {
      for (let index = 0; index < 2_000; index += 1) {
        const instance = generateInstance(label, random);
        expect(labelOf(instance)).toBe(label);
        expect(instance).not.toMatch(/\|\||\n/);
      }
    }
  });

  it("has opening phrases that never prefix another label's phrase", () => {
    for (const [prefix, label] of LABEL_PREFIXES) {
      for (const [other, otherLabel] of LABEL_PREFIXES) {
        if (label !== otherLabel) expect(other.startsWith(prefix)).toBe(false);
      }
    }
  });

  it('agrees with the generator on every line of a generated context', () => {
    const task = generateOolongTask({
      seed: 3,
      contextChars: 200_000,
      userFilter: false,
      dateFilter: false,
    });
    const counts = Object.fromEntries(LABELS.map((label) => [label, 0]));
    for (const line of task.context.split('\n')) {
      const instance = line.slice(line.indexOf('|| Instance: ') + 13);
      counts[labelOf(instance)] = (counts[labelOf(instance)] ?? 0) + 1;
    }
    expect(counts).toEqual(task.labelCounts);
  });
});
