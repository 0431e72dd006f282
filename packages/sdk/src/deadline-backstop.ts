/**
 * The last line of `--timeout`: a request ends within one second of its deadline. The deadline
 * already stops the whole tree through the request's signal, and every part winds down within
 * milliseconds in the cases we test (test/limits/request-deadline.test.ts); this bound holds even
 * when some part does not (a cluster job waiting out its grace period on an unresponsive process,
 * an isolate busy copying a huge context). The stopped work still ends on its own; the caller does
 * not wait for it, and gets the `timeout` outcome without the partial answer the session would
 * have returned.
 */
import type { SessionOutcome } from '@rlm/shared';

/** What is left of the second after the deadline for assembling the result (ledger totals, the span). */
const SETTLE_AFTER_DEADLINE_MS = 900;

export function withinDeadline(work: Promise<SessionOutcome>, deadlineAt: number | undefined): Promise<SessionOutcome> {
  if (deadlineAt === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const backstop = new Promise<SessionOutcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ answer: '', stopReason: 'timeout', iterations: 0 }),
      Math.max(0, deadlineAt + SETTLE_AFTER_DEADLINE_MS - Date.now()),
    );
  });
  // Whatever the abandoned work ends with later, nobody is waiting for it.
  work.catch(() => undefined);
  return Promise.race([work, backstop]).finally(() => clearTimeout(timer));
}
