/**
 * The server's cap on requests in flight (429 with Retry-After when full; an RLM request holds
 * its slot until its whole tree has finished). Bodies are read before a slot is taken
 * (body-reader.ts).
 */
import { ApiError } from './api-error.ts';

export class RequestSlots {
  readonly capacity: number;
  private readonly retryAfterSec: number;
  private used = 0;

  constructor(capacity: number, retryAfterSec: number) {
    this.capacity = capacity;
    this.retryAfterSec = retryAfterSec;
  }

  get active(): number {
    return this.used;
  }

  /** A release function (call it exactly once), or a 429 ApiError when every slot is taken. */
  acquire(): () => void {
    if (this.used >= this.capacity) {
      throw new ApiError(
        429,
        'rate_limit_error',
        'rate_limit_exceeded',
        `the server is running its maximum of ${this.capacity} requests; retry later`,
        {
          headers: { 'retry-after': String(this.retryAfterSec) },
        },
      );
    }
    this.used += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= 1;
    };
  }
}
