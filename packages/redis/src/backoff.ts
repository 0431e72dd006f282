/**
 * Polling waits for cluster-wide conditions (a free limiter slot, a rate
 * window, a coalesced result). Delays grow geometrically to a cap and are
 * jittered (each delay drawn from [delay/2, delay]) so many waiters on one
 * key do not poll in lockstep.
 */
import { RlmError } from '@rlm/shared';

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

export class Backoff {
  private readonly options: BackoffOptions;
  private current: number;

  constructor(options: BackoffOptions) {
    this.options = options;
    this.current = options.initialMs;
  }

  next(): number {
    const base = Math.min(this.current, this.options.maxMs);
    this.current = Math.min(this.current * 2, this.options.maxMs);
    return Math.max(1, base / 2 + Math.random() * (base / 2));
  }
}

export function cancelled(): RlmError {
  return new RlmError('cancelled', 'the request was stopped before this call could start');
}
