import { describe, expect, it } from 'vitest';
import { generateTask, gradeAnswer, TASK_FAMILIES } from './generate-task.ts';
import { generateNeedleTask, parseNeedleQuery } from './needle.ts';
import { generateOolongTask } from './oolong.ts';
import { OOLONG_QUESTION_KINDS, parseOolongQuery, renderOolongQuery } from './oolong-query.ts';
import { generatePairsTask, parsePairsQuery } from './pairs.ts';

describe.each(TASK_FAMILIES)('%s tasks', (family) => {
  it('are deterministic per seed and differ across seeds', () => {
    const first = generateTask(family, { seed: 5, contextChars: 50_000 });
    const again = generateTask(family, { seed: 5, contextChars: 50_000 });
    const other = generateTask(family, { seed: 6, contextChars: 50_000 });
    expect(again).toEqual(first);
    expect(other.context).not.toBe(first.context);
  });

  it('have about the requested size and grade their own answer 1', () => {
    for (const seed of [1, 2, 3, 4]) {
      const task = generateTask(family, { seed, contextChars: 100_000 });
      expect(task.context.length).toBeGreaterThan(95_000);
      expect(task.context.length).toBeLessThan(105_000);
      expect(gradeAnswer(task, task.expectedAnswerText)).toBe(1);
    }
  });

  it('generate a million characters quickly', () => {
    const started = performance.now();
    const task = generateTask(family, { seed: 9, contextChars: 1_000_000 });
    expect(task.context.length).toBeGreaterThanOrEqual(999_000);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('needle', () => {
  it('places the needle at the requested depth, with distractors for other keys', () => {
    const task = generateNeedleTask({
      seed: 1,
      contextChars: 100_000,
      depth: 0.25,
      distractors: 3,
    });
    const needle = `One of the special magic numbers for ${task.key} is: ${task.answer}.`;
    const at = task.context.indexOf(needle);
    expect(at / task.context.length).toBeGreaterThan(0.24);
    expect(at / task.context.length).toBeLessThan(0.27);
    expect(task.context.match(/special magic numbers for/g)).toHaveLength(4);
    expect(parseNeedleQuery(task.query)).toEqual({ key: task.key });
    expect(gradeAnswer(task, `The number is ${task.answer}.`)).toBe(1);
    expect(gradeAnswer(task, 'The number is 1234567.')).toBe(0);
  });

  it('handles the extreme depths', () => {
    for (const depth of [0, 1]) {
      const task = generateNeedleTask({ seed: 2, contextChars: 10_000, depth });
      expect(task.context).toContain(`for ${task.key} is: ${task.answer}.`);
    }
  });
});

describe('oolong', () => {
  it('round-trips every question kind through the query text, with filters', () => {
    for (const questionKind of OOLONG_QUESTION_KINDS) {
      for (const seed of [1, 2, 3]) {
        const task = generateOolongTask({
          seed,
          contextChars: 20_000,
          questionKind,
          userFilter: true,
          dateFilter: true,
        });
        expect(parseOolongQuery(task.query)).toEqual(task.question);
        expect(renderOolongQuery(task.question)).toBe(task.query);
      }
    }
  });

  it('grades wrong answers lower', () => {
    const count = generateOolongTask({ seed: 4, contextChars: 50_000, questionKind: 'count' });
    expect(typeof count.answer).toBe('number');
    expect(gradeAnswer(count, String((count.answer as number) + 2))).toBeCloseTo(0.5625);
    const most = generateOolongTask({ seed: 4, contextChars: 50_000, questionKind: 'most-common' });
    expect(gradeAnswer(most, `'${String(most.answer).toUpperCase()}'.`)).toBe(1);
    expect(gradeAnswer(most, 'no label')).toBe(0);
  });
});

describe('pairs', () => {
  it('answers with the pairs of users that have the named labels', () => {
    const task = generatePairsTask({
      seed: 8,
      contextChars: 200_000,
      labels: ['location', 'entity'],
    });
    expect(parsePairsQuery(task.query)).toEqual({ labels: ['location', 'entity'] });
    expect(task.answer.length).toBeGreaterThan(0);
    for (const [first, second] of task.answer) expect(first).toBeLessThan(second);
    const half = task.answer.slice(0, Math.floor(task.answer.length / 2));
    const score = gradeAnswer(task, half.map(([a, b]) => `(${a}, ${b})`).join('\n'));
    expect(score).toBeGreaterThan(0.5);
    expect(score).toBeLessThan(1);
  });
});
