import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionOutcome } from '@rlm/shared';
import { withinDeadline } from './deadline-backstop.ts';

afterEach(() => {
  vi.useRealTimers();
});

const final: SessionOutcome = { answer: 'done', stopReason: 'final', iterations: 1 };

describe('withinDeadline', () => {
  it('answers timeout 900 ms after the deadline when the work has not ended', async () => {
    vi.useFakeTimers({ now: 0 });
    const outcome = withinDeadline(new Promise<SessionOutcome>(() => {}), 2_000);
    let settled: SessionOutcome | undefined;
    void outcome.then((value) => (settled = value));
    await vi.advanceTimersByTimeAsync(2_899);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toEqual({ answer: '', stopReason: 'timeout', iterations: 0 });
  });

  it('returns the work when it ends first, and the work itself without a deadline', async () => {
    vi.useFakeTimers({ now: 0 });
    await expect(withinDeadline(Promise.resolve(final), 2_000)).resolves.toBe(final);
    await expect(withinDeadline(Promise.resolve(final), undefined)).resolves.toBe(final);
  });

  it('does not leave a late rejection of the abandoned work unhandled', async () => {
    vi.useFakeTimers({ now: 0 });
    let fail: (error: Error) => void = () => {};
    const work = new Promise<SessionOutcome>((_, reject) => (fail = reject));
    const outcome = withinDeadline(work, 0);
    await vi.advanceTimersByTimeAsync(900);
    await expect(outcome).resolves.toMatchObject({ stopReason: 'timeout' });
    fail(new Error('late'));
    await vi.advanceTimersByTimeAsync(0);
  });
});
