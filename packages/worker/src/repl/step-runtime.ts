/**
 * The request runtime as one REPL step's sub-calls see it: everything is the request's, except
 * the signal, which also fires when the step is over. A step the watchdog, a memory kill or a
 * cancel ended must not leave work behind: its queued sub-calls leave the concurrency limiter
 * without being sent, its in-flight provider requests and child sessions are aborted, and the
 * slots they held are free for the session's next turn at once.
 *
 * `stop` still stops the whole request (a budget refusal inside a sub-call is the request's
 * business); abandoning a step never stops the request.
 */
import type { RequestRuntime } from '@rlm/shared';

export class StepRuntime implements RequestRuntime {
  readonly #request: RequestRuntime;
  readonly #abandon = new AbortController();
  readonly signal: AbortSignal;

  /** `stepStopped`: the step's stop as another process announces it (cluster LLM jobs). */
  constructor(request: RequestRuntime, stepStopped?: AbortSignal) {
    this.#request = request;
    this.signal = AbortSignal.any(
      stepStopped === undefined ? [request.signal, this.#abandon.signal] : [request.signal, this.#abandon.signal, stepStopped],
    );
  }

  /** Aborts every sub-call of the step still queued or running. Idempotent. */
  abandon(): void {
    this.#abandon.abort('step ended');
  }

  get abandoned(): boolean {
    return this.#abandon.signal.aborted;
  }

  get rootId(): string {
    return this.#request.rootId;
  }

  get scope(): RequestRuntime['scope'] {
    return this.#request.scope;
  }

  get ledger(): RequestRuntime['ledger'] {
    return this.#request.ledger;
  }

  get limiter(): RequestRuntime['limiter'] {
    return this.#request.limiter;
  }

  get capacity(): RequestRuntime['capacity'] {
    return this.#request.capacity;
  }

  get tools(): RequestRuntime['tools'] {
    return this.#request.tools;
  }

  get observed(): boolean {
    return this.#request.observed;
  }

  stop(reason: Parameters<RequestRuntime['stop']>[0]): void {
    this.#request.stop(reason);
  }

  stopReason(): ReturnType<RequestRuntime['stopReason']> {
    return this.#request.stopReason();
  }

  emit(event: Parameters<RequestRuntime['emit']>[0]): void {
    this.#request.emit(event);
  }
}
