/**
 * Timed waits of pollers that an AbortSignal cuts short (rejecting with a
 * `cancelled` RlmError) and a local event may end early (`wakeOne`).
 *
 * Like LocalLimiter, it keeps one abort listener per signal, not one per
 * waiter: a request's thousands of queued calls share one signal, and Node
 * warns past ten listeners on one EventTarget.
 */
import { cancelled } from './backoff.ts';

interface Sleeper {
  readonly signal: AbortSignal;
  wake(): void;
  cancel(): void;
}

export class Sleepers {
  /** Insertion order is arrival order, so `wakeOne` wakes the longest sleeper. */
  private readonly sleeping = new Set<Sleeper>();
  private readonly watched = new WeakSet<AbortSignal>();

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(cancelled());
    this.watch(signal);
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.sleeping.delete(sleeper);
      };
      const sleeper: Sleeper = {
        signal,
        wake: () => {
          finish();
          resolve();
        },
        cancel: () => {
          finish();
          reject(cancelled());
        },
      };
      const timer = setTimeout(sleeper.wake, ms);
      this.sleeping.add(sleeper);
    });
  }

  /** Ends the longest sleep now (e.g. a local holder released a slot: no need to wait for the next poll). */
  wakeOne(): void {
    const first = this.sleeping.values().next();
    if (first.done !== true) first.value.wake();
  }

  private watch(signal: AbortSignal): void {
    if (this.watched.has(signal)) return;
    this.watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        for (const sleeper of [...this.sleeping]) if (sleeper.signal === signal) sleeper.cancel();
      },
      { once: true },
    );
  }
}
