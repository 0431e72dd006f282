/**
 * Sub-calls of one REPL step wait here, as a prompt and a callback, until one of `size` running
 * places is free; only then do they become gateway calls (a span, a cache key, a ledger
 * reservation, a limiter waiter: several kilobytes each). `size` is the request's concurrency
 * cap, so this never slows a step down: more than that many calls could not run at once anyway.
 * It is what keeps the host's memory per queued sub-call small (see `pnpm bench`,
 * queuedSubcallBytes) and it answers every call still waiting when the step is abandoned.
 */
export class CallPool {
  readonly #size: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  #closedWith: string | undefined;

  constructor(size: number) {
    this.#size = Math.max(1, size);
  }

  /** Runs `call` when a place is free; answers `closedWith` instead if the pool is closed first. */
  run(call: () => Promise<string>): Promise<string> {
    if (this.#closedWith !== undefined) return Promise.resolve(this.#closedWith);
    if (this.#running < this.#size) return this.#start(call);
    return new Promise<string>((resolve) => {
      this.#waiting.push(() => {
        if (this.#closedWith !== undefined) resolve(this.#closedWith);
        else resolve(this.#start(call));
      });
    });
  }

  /** Answers every waiting call with `answer` at once; later calls get it too. Running ones are the caller's to abort. */
  close(answer: string): void {
    if (this.#closedWith !== undefined) return;
    this.#closedWith = answer;
    for (const wake of this.#waiting.splice(0)) wake();
  }

  async #start(call: () => Promise<string>): Promise<string> {
    this.#running += 1;
    try {
      return await call();
    } finally {
      this.#running -= 1;
      this.#waiting.shift()?.();
    }
  }
}
