/**
 * A counting semaphore: the global cap on concurrent LLM calls of one request.
 * Waiters are served in arrival order; an aborted waiter leaves the queue.
 */
import { RlmError } from '../errors.ts';

export interface Limiter {
  /** Slots in all; sub-call hosts start at most this many calls of one step at a time. Absent: unknown. */
  readonly slots?: number;
  /**
   * Resolves with a release function once a slot is free; rejects with `cancelled` on abort.
   * `holder` names the work (an LLM call's id): a re-run of it after its process died takes over
   * the slot the dead run still holds instead of waiting for that slot's lease to run out.
   */
  acquire(signal: AbortSignal, holder?: string): Promise<() => void>;
}

export class LocalLimiter implements Limiter {
  private readonly capacity: number;
  private active = 0;
  private readonly waiters: Array<{ grant: () => void; signal: AbortSignal; reject: (error: Error) => void }> = [];
  /** Signals we listen to, one listener each: thousands of waiters on one request's signal must not mean thousands of listeners. */
  private readonly watched = new WeakSet<AbortSignal>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RlmError('config_invalid', `concurrency must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  get slots(): number {
    return this.capacity;
  }

  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(cancelledError());
    if (this.active < this.capacity) {
      this.active += 1;
      return Promise.resolve(this.releaser());
    }
    this.watch(signal);
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        this.active += 1;
        resolve(this.releaser());
      };
      this.waiters.push({ grant, signal, reject });
    });
  }

  private watch(signal: AbortSignal): void {
    if (this.watched.has(signal)) return;
    this.watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        // Drop every waiter of the aborted signal in one pass.
        for (let index = this.waiters.length - 1; index >= 0; index -= 1) {
          const waiter = this.waiters[index];
          if (waiter?.signal !== signal) continue;
          this.waiters.splice(index, 1);
          waiter.reject(cancelledError());
        }
      },
      { once: true },
    );
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      this.waiters.shift()?.grant();
    };
  }
}

function cancelledError(): RlmError {
  return new RlmError('cancelled', 'the request was stopped before this call could start');
}
