/**
 * The wall-clock and cancellation guard of one REPL step.
 *
 * isolated-vm's own `timeout` only covers synchronous runs: code that loops after an `await`
 * resumes in a later task that no timeout watches. So a host timer and the step's AbortSignal
 * race the step, and whoever trips first tells the caller, who disposes the isolate.
 */
export type WatchdogTrip = 'timeout' | 'cancelled';

export interface Watchdog {
  /** Settles when the deadline passes or the signal aborts; never rejects. */
  readonly tripped: Promise<WatchdogTrip>;
  /** Clears the timer and the abort listener; call once the step is over. */
  stop(): void;
}

export function startWatchdog(timeoutMs: number, signal: AbortSignal | undefined): Watchdog {
  let resolveTrip: (trip: WatchdogTrip) => void = () => {};
  const tripped = new Promise<WatchdogTrip>((resolve) => {
    resolveTrip = resolve;
  });
  const timer = setTimeout(() => resolveTrip('timeout'), timeoutMs);
  const onAbort = (): void => resolveTrip('cancelled');
  if (signal?.aborted) resolveTrip('cancelled');
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    tripped,
    stop() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
