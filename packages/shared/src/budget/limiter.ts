/**
 * A counting semaphore: the global cap on concurrent LLM calls of one request.
 * Waiters are served in arrival order; an aborted waiter leaves the queue.
 */
import { RlmError } from '../errors.ts';

export interface Limiter {
  /** Resolves with a release function once a slot is free; rejects with `cancelled` on abort. */
  acquire(signal: AbortSignal): Promise<() => void>;
}

export class LocalLimiter implements Limiter {
  private readonly capacity: number;
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RlmError('config_invalid', `concurrency must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(cancelledError());
    if (this.active < this.capacity) {
      this.active += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.active += 1;
        resolve(this.releaser());
      };
      const onAbort = (): void => {
        const index = this.waiters.indexOf(grant);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(cancelledError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      this.waiters.shift()?.();
    };
  }
}

function cancelledError(): RlmError {
  return new RlmError('cancelled', 'the request was stopped before this call could start');
}
