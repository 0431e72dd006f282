/**
 * Python sandboxes started ahead of need. Loading Pyodide takes 1-3 s (more on a busy machine),
 * which a session, a child session of `rlm_query`, and a REPL reset after a kill would otherwise
 * each wait for. The pool keeps `spares` processes that have loaded Pyodide but hold no context
 * yet, all with one set of limits; a session whose limits fit takes one. Idle spares do not keep
 * the host's event loop alive, and die with the host.
 *
 * The replacement is not started when a spare is taken but when the session that took it is done
 * with a step (`fill`, called by python-repl-session.ts): a session takes its sandbox for the step
 * about to run, and loading Pyodide (1-2 s of a core) during that step slows it down (measured on
 * 2 cores: a 400-call fan-out step ran up to twice as long), while between steps the session waits
 * for its root model and the host has time to spare.
 */
import { PythonProcess } from './python-process.ts';
import type { PythonProcessLimits } from './python-process.ts';

/**
 * The pool's default limits: the default memory limit of any context up to 40 MB (512 MB + three
 * times the context; see python-repl-session.ts), so most sessions start from a spare.
 */
export const DEFAULT_POOL_LIMITS: PythonProcessLimits = {
  memoryLimitMb: 640,
  maxCapturedOutputChars: 1_000_000,
  contextBytes: 40 * 1024 * 1024,
};

export interface SandboxPoolOptions {
  /** Processes kept loaded and waiting (default 1). */
  readonly spares?: number;
  /** The limits every pooled process starts with (default DEFAULT_POOL_LIMITS); sessions needing more start their own. */
  readonly limits?: PythonProcessLimits;
}

export class PythonSandboxPool {
  readonly #spares: number;
  readonly #limits: PythonProcessLimits;
  readonly #idle: PythonProcess[] = [];
  #closed = false;

  constructor(options: SandboxPoolOptions = {}) {
    this.#spares = options.spares ?? 1;
    this.#limits = options.limits ?? DEFAULT_POOL_LIMITS;
  }

  /** A loading or loaded process whose limits cover these (same output cap, at least the memory and context room), or undefined. */
  take(limits: PythonProcessLimits): PythonProcess | undefined {
    if (this.#closed || !fits(limits, this.#limits)) return undefined;
    // An empty pool hands out a process it just started: no slower than starting one outside.
    this.fill();
    const taken = this.#idle.shift();
    taken?.setReferenced(true);
    return taken;
  }

  /** Starts processes until `spares` are waiting (spares that died while waiting are dropped). */
  fill(): void {
    this.#idle.splice(0, this.#idle.length, ...this.#idle.filter((process) => process.isAlive));
    while (!this.#closed && this.#idle.length < this.#spares) {
      const process = PythonProcess.spawn(this.#limits);
      process.setReferenced(false);
      this.#idle.push(process);
    }
  }

  /**
   * Starts the spares and resolves once every one waiting has loaded Pyodide (or failed to: a
   * session then starts its own), so a caller can make its first session start warm.
   */
  async ready(): Promise<void> {
    this.fill();
    await Promise.all(this.#idle.map((process) => process.loaded.catch(() => undefined)));
  }

  /** The memory limit a session wanting `limits` runs under: the pool's when a spare would serve it, else its own. */
  memoryLimitMbFor(limits: PythonProcessLimits): number {
    return !this.#closed && this.#spares > 0 && fits(limits, this.#limits) ? this.#limits.memoryLimitMb : limits.memoryLimitMb;
  }

  /** Spares waiting to be taken (loading or loaded). */
  get waiting(): number {
    return this.#idle.filter((process) => process.isAlive).length;
  }

  /** Kills the idle processes; later `take`s return undefined. */
  close(): void {
    this.#closed = true;
    for (const process of this.#idle.splice(0)) process.kill('killed');
  }
}

/** A pooled process serves a session that needs no more memory than it grants, with the same output cap, whose context its heap can hold. */
function fits(wanted: PythonProcessLimits, pooled: PythonProcessLimits): boolean {
  return (
    wanted.memoryLimitMb <= pooled.memoryLimitMb &&
    wanted.maxCapturedOutputChars === pooled.maxCapturedOutputChars &&
    wanted.contextBytes <= pooled.contextBytes
  );
}
