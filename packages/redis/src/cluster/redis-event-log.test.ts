import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RlmEvent } from '@rlm/shared';
import { cappedEventJson, EVENT_MAX_BYTES } from './redis-event-log.ts';

type SessionEnd = Extract<RlmEvent, { type: 'session-end' }>;

const sessionEnd = (answer: string): SessionEnd => ({
  type: 'session-end',
  sessionId: 'root',
  depth: 0,
  stopReason: 'final',
  iterations: 2,
  answer,
  usage: { inputTokens: 1, outputTokens: 2, cachedInputTokens: 0 },
  costUsd: 0,
  durationMs: 5,
});

describe('cappedEventJson', () => {
  it('leaves a small event as it is', () => {
    const event = sessionEnd('42');
    expect(cappedEventJson(event)).toBe(JSON.stringify(event));
  });

  it('cuts a 530 MB-style answer to fit, keeping the fields that identify the event', () => {
    const json = cappedEventJson(sessionEnd('é'.repeat(2_000_000)));
    expect(Buffer.byteLength(json, 'utf8')).toBeLessThanOrEqual(EVENT_MAX_BYTES);
    const parsed = JSON.parse(json) as RlmEvent & { answer: string };
    expect(parsed).toMatchObject({ type: 'session-end', sessionId: 'root', stopReason: 'final', iterations: 2 });
    expect(parsed.answer).toMatch(/^é+\[\.\.\. \d+ characters cut: events are capped at 32768 bytes\]$/);
  });

  it('never exceeds the cap, whatever the strings hold', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 0, maxLength: 60_000 }), fc.string({ maxLength: 40_000 }), (answer, error) => {
        const json = cappedEventJson({ ...sessionEnd(answer), error });
        expect(Buffer.byteLength(json, 'utf8')).toBeLessThanOrEqual(EVENT_MAX_BYTES);
        expect((JSON.parse(json) as RlmEvent).type).toBe('session-end');
      }),
      { numRuns: 30 },
    );
  });
});
