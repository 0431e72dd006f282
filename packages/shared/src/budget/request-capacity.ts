/**
 * What one request may hold in a host process, besides tokens and money: sub-calls waiting or
 * running (each one costs host memory: its prompt, a promise chain, a span, a limiter waiter)
 * and the memory limits of its live REPL sandboxes. Both are counters that refuse instead of
 * waiting: a step that asks for more gets an error it can read, never a host out of memory and
 * never a wait on work that its own caller holds up.
 *
 * Language-neutral on purpose: the sub-call host and the step executors use these, so any REPL
 * (the JavaScript isolate, a Python sandbox) gets the same caps.
 */

/** Default cap on a request's pending sub-calls (a queued one holds about 1 KB of host heap; pnpm bench: queuedSubcallBytes). */
export const DEFAULT_MAX_PENDING_SUBCALLS = 10_000;
/**
 * Default cap on the prompt characters a request's pending sub-calls hold in host memory together.
 * The count cap alone does not bound it: one 20 MB string passed as 100 prompts of one batch is
 * copied out of the sandbox 100 times (2.5 GB of host RSS, measured). 256 Mi characters still lets
 * a step send a whole 256 MB context in slices at once. The REPLs also refuse a single call whose
 * prompts pass it before copying them out (bootstrap-source.ts, rlm_runtime.py).
 */
export const DEFAULT_MAX_PENDING_PROMPT_CHARS = 256 * 1024 * 1024;
/** Default total of the memory limits of one request's live REPL sandboxes, MB. */
export const DEFAULT_MAX_REQUEST_SANDBOX_MB = 2_048;

export class PendingSubcalls {
  readonly limit: number;
  /** Prompt characters the pending calls may hold together. */
  readonly charLimit: number;
  #pending = 0;
  #chars = 0;

  constructor(limit: number, charLimit = DEFAULT_MAX_PENDING_PROMPT_CHARS) {
    this.limit = limit;
    this.charLimit = charLimit;
  }

  get pendingChars(): number {
    return this.#chars;
  }

  /** Admits a prompt of `chars` characters when it fits beside the pending ones (release it once). */
  takeChars(chars: number): boolean {
    if (this.#chars + chars > this.charLimit) return false;
    this.#chars += chars;
    return true;
  }

  releaseChars(chars: number): void {
    this.#chars = Math.max(0, this.#chars - chars);
  }

  get pending(): number {
    return this.#pending;
  }

  /** Admits up to `count` calls; returns how many were admitted (release each one once). */
  take(count: number): number {
    const granted = Math.max(0, Math.min(count, this.limit - this.#pending));
    this.#pending += granted;
    return granted;
  }

  release(): void {
    this.#pending = Math.max(0, this.#pending - 1);
  }
}

export class SandboxMemoryBudget {
  readonly limitMb: number;
  #reservedMb = 0;
  #holders = 0;

  constructor(limitMb: number) {
    this.limitMb = limitMb;
  }

  get reservedMb(): number {
    return this.#reservedMb;
  }

  /**
   * Reserves a sandbox's memory limit; undefined when it does not fit. The first sandbox of a
   * request always fits (a request must be able to run its root REPL; one isolate's own limit
   * is capped elsewhere), so the budget only ever refuses additional, concurrent sandboxes.
   */
  reserve(megabytes: number): (() => void) | undefined {
    if (this.#holders > 0 && this.#reservedMb + megabytes > this.limitMb) return undefined;
    this.#reservedMb += megabytes;
    this.#holders += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#reservedMb -= megabytes;
      this.#holders -= 1;
    };
  }
}

/** The caps of one request in this process (see RequestRuntime.capacity). */
export interface RequestCapacity {
  readonly subcalls: PendingSubcalls;
  readonly sandboxMemory: SandboxMemoryBudget;
}

export function createRequestCapacity(options: {
  readonly maxPendingSubcalls?: number;
  readonly maxSandboxMemoryMb?: number;
}): RequestCapacity {
  return {
    subcalls: new PendingSubcalls(options.maxPendingSubcalls ?? DEFAULT_MAX_PENDING_SUBCALLS),
    sandboxMemory: new SandboxMemoryBudget(options.maxSandboxMemoryMb ?? DEFAULT_MAX_REQUEST_SANDBOX_MB),
  };
}
