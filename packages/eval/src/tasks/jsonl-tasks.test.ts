import { describe, expect, it } from 'vitest';
import { parseTaskLines } from './jsonl-tasks.ts';

describe('parseTaskLines', () => {
  it('reads one task per line, joins document arrays and defaults the grader to exact', () => {
    const text = [
      JSON.stringify({ context: 'abc', question: 'q1?', answer: 'yes' }),
      '',
      JSON.stringify({
        id: 'two',
        context: ['doc one', 'doc two'],
        question: 'q2?',
        answer: 3,
        grader: 'numeric',
      }),
    ].join('\n');
    const instances = parseTaskLines(text, 'mine');
    expect(instances.map((item) => [item.id, item.grader, item.expected])).toEqual([
      ['mine/0', 'exact', 'yes'],
      ['mine/two', 'numeric', '3'],
    ]);
    expect(instances[1]?.context).toBe('doc one\n\ndoc two');
    expect(instances[1]?.contextTokens).toBeGreaterThan(0);
  });

  it('names the line of a bad task', () => {
    const good = JSON.stringify({ context: 'a', question: 'q?', answer: 'x' });
    expect(() => parseTaskLines(`${good}\n{not json`, 'f')).toThrow('f: line 2: not valid JSON');
    expect(() =>
      parseTaskLines(
        JSON.stringify({ context: 'a', question: 'q?', answer: 'x', grader: 'fuzzy' }),
        'f',
      ),
    ).toThrow(/f: line 1: grader/);
    expect(() =>
      parseTaskLines(
        JSON.stringify({ context: 'a', question: 'q?', answer: 'many', grader: 'numeric' }),
        'f',
      ),
    ).toThrow('numeric answer');
    expect(() => parseTaskLines('\n', 'f')).toThrow('no tasks');
  });
});
