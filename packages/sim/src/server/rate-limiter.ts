/**
 * A sliding one-minute window of accepted requests. Past the limit the caller
 * gets the seconds until the oldest request leaves the window (Retry-After).
 */
const WINDOW_MS = 60_000;

export interface RateLimiter {
  /** Undefined when the request may proceed (and is counted); else seconds to wait. */
  tryAcquire(): number | undefined;
  reset(): void;
}

export function createRateLimiter(
  requestsPerMinute: number | undefined,
  now: () => number,
): RateLimiter {
  let accepted: number[] = [];
  return {
    tryAcquire() {
      if (requestsPerMinute === undefined) return undefined;
      const time = now();
      while (accepted.length > 0 && (accepted[0] as number) <= time - WINDOW_MS) accepted.shift();
      if (accepted.length < requestsPerMinute) {
        accepted.push(time);
        return undefined;
      }
      const oldest = accepted[0] as number;
      return Math.max(1, Math.ceil((oldest + WINDOW_MS - time) / 1000));
    },
    reset() {
      accepted = [];
    },
  };
}
