/**
 * The provider's concurrency limit: requests past it wait in a FIFO queue
 * inside the server, as they would behind a real provider's front door.
 */
export interface ConcurrencyGate {
  /** Resolves with a release function once a slot is free; rejects if the signal aborts while waiting. */
  acquire(signal: AbortSignal): Promise<() => void>;
}

export function createConcurrencyGate(limit: number | undefined): ConcurrencyGate {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    active -= 1;
    const next = waiting.shift();
    if (next) next();
  };
  const releaseOnce = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  };
  return {
    acquire(signal) {
      signal.throwIfAborted();
      if (limit === undefined || active < limit) {
        active += 1;
        return Promise.resolve(releaseOnce());
      }
      return new Promise((resolve, reject) => {
        const grant = (): void => {
          signal.removeEventListener('abort', onAbort);
          active += 1;
          resolve(releaseOnce());
        };
        const onAbort = (): void => {
          const index = waiting.indexOf(grant);
          if (index >= 0) waiting.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiting.push(grant);
      });
    },
  };
}
