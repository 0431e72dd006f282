import { describe, expect, it } from 'vitest';
import { parseTrajectory, TrajectoryFormatError } from './read-trajectory.ts';

const metadata = JSON.stringify({
  type: 'metadata',
  version: 2,
  startedAt: '2026-11-24T12:00:00.000Z',
});
const start = JSON.stringify({
  type: 'session-start',
  sessionId: 'r',
  depth: 0,
  query: 'q',
  model: 'm',
  t: 1,
});
const result = JSON.stringify({
  type: 'result',
  result: { answer: 'a', stopReason: 'final' },
  t: 2,
});

describe('parseTrajectory', () => {
  it('splits metadata, events and result, skipping event types it does not know', () => {
    const future = JSON.stringify({ type: 'something-new', sessionId: 'r', depth: 0 });
    const parsed = parseTrajectory([metadata, start, future, result, ''].join('\n'));
    expect(parsed.metadata.version).toBe(2);
    expect(parsed.events.map((event) => event.type)).toEqual(['session-start']);
    expect(parsed.result?.answer).toBe('a');
  });

  it('reads a run that crashed before its result line', () => {
    expect(parseTrajectory([metadata, start].join('\n')).result).toBeUndefined();
  });

  const bad: Array<[string, string, RegExp]> = [
    ['an empty file', '\n', /empty/],
    ['plain text', 'hello world', /line 1 is not JSON/],
    ['JSON that is not an object', '[1,2]', /line 1 is not a JSON object/],
    ['a file without metadata first', start, /line 1 is not a trajectory metadata record/],
    [
      'a version from the future',
      JSON.stringify({ type: 'metadata', version: 99 }),
      /unsupported trajectory version 99/,
    ],
    ['a broken line later', `${metadata}\n{oops`, /line 2 is not JSON/],
    [
      'an event without its session',
      `${metadata}\n${JSON.stringify({ type: 'step-start', step: 1 })}`,
      /line 2: a step-start event without sessionId/,
    ],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => parseTrajectory(text)).toThrow(TrajectoryFormatError);
      expect(() => parseTrajectory(text)).toThrow(message);
    });
  }
});
