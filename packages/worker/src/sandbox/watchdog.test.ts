import { afterEach, describe, expect, it, vi } from 'vitest';
import { startWatchdog } from './watchdog.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('startWatchdog', () => {
  it('trips with timeout when the deadline passes', async () => {
    vi.useFakeTimers();
    const watchdog = startWatchdog(5_000, undefined);
    vi.advanceTimersByTime(5_000);
    await expect(watchdog.tripped).resolves.toBe('timeout');
    watchdog.stop();
  });

  it('trips with cancelled on abort, including a signal aborted before the start', async () => {
    const controller = new AbortController();
    const watchdog = startWatchdog(60_000, controller.signal);
    controller.abort();
    await expect(watchdog.tripped).resolves.toBe('cancelled');
    watchdog.stop();
    const early = startWatchdog(60_000, AbortSignal.abort());
    await expect(early.tripped).resolves.toBe('cancelled');
    early.stop();
  });

  it('stop() clears the timer and the abort listener', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const watchdog = startWatchdog(1_000, controller.signal);
    watchdog.stop();
    controller.abort();
    vi.advanceTimersByTime(2_000);
    const outcome = await Promise.race([watchdog.tripped, Promise.resolve('still running')]);
    expect(outcome).toBe('still running');
  });
});
