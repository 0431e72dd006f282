/**
 * A Python REPL for one RLM session, with the JavaScript ReplSession's semantics: steps run one
 * after another against live state; a step that runs too long, is cancelled, or outgrows its
 * memory kills the sandbox process, its result says so (`reset`, keeping what it printed and the
 * partial answer), and the next step transparently gets a fresh process with the same `context`.
 * User errors never reject `execute`: they are data in `StepResult.error`.
 *
 * Python's own heap is capped inside the process (a too-big allocation is a MemoryError the code
 * sees, with the state kept); the resident-set watchdog in python-process.ts catches the rest.
 */
import { assertNever, DEFAULT_MAX_ANSWER_CHARS, RlmError } from '@rlm/shared';
import type { ContextValue, ReplResetReason, StepResult } from '@rlm/shared';
import type { ReplHost } from '../sandbox/repl-host.ts';
import type { StepOptions } from '../sandbox/repl-session.ts';
import { parseStepSummary } from '../sandbox/step-summary.ts';
import type { StepSummary } from '../sandbox/step-summary.ts';
import { startWatchdog } from '../sandbox/watchdog.ts';
import type { WatchdogTrip } from '../sandbox/watchdog.ts';
import type { SkippedGlobal } from '../sandbox/repl-snapshot.ts';
import { restoreNote } from '../sandbox/state-snapshot.ts';
import { PythonProcess, ProcessEndedError } from './python-process.ts';
import { checkPythonSnapshot, EMPTY_PYTHON_SNAPSHOT } from './python-snapshot.ts';
import type { ProcessEnd, PythonProcessLimits } from './python-process.ts';
import type { PythonSandboxPool } from './sandbox-pool.ts';
import { contextBytes } from './sandbox-seal.ts';

export interface PythonReplSessionOptions {
  readonly context: ContextValue;
  /** A conversation's contexts after the first (`context_1`, ...; `context_0` names `context`). */
  readonly extraContexts?: readonly ContextValue[];
  readonly host: ReplHost;
  /** Python's heap limit. Default: 512 MB plus three times the context (see defaultPythonMemoryMb). */
  readonly memoryLimitMb?: number;
  /** Default 1,000,000: printed text beyond this is counted but not kept. */
  readonly maxCapturedOutputChars?: number;
  /** Start from this snapshot text (taken by `snapshotText()` in another session). */
  readonly restore?: string;
  /** Sandboxes with Pyodide already loaded; used when the default memory limit fits its limits. */
  readonly pool?: PythonSandboxPool;
  /** Names of the caller's tools, each defined as a function in the REPL. */
  readonly toolNames?: readonly string[];
  /** Default DEFAULT_MAX_ANSWER_CHARS: a longer final answer is refused inside the sandbox. */
  readonly maxAnswerChars?: number;
}

const DEFAULT_MAX_CAPTURED_OUTPUT_CHARS = 1_000_000;
const BASE_MB = 512;
const CONTEXT_COPIES = 3;
/** WebAssembly memory is 32-bit: 4 GiB is the most Pyodide can ever address. */
const MAX_MB = 3584;

/**
 * 512 MB for the interpreter and the model's work, plus the context and two copies of it, plus,
 * for a restored session, three times the snapshot (the state fitted where it was taken).
 */
export function defaultPythonMemoryMb(context: ContextValue, restore?: string): number {
  const bytes = CONTEXT_COPIES * (contextBytes(context) + (restore?.length ?? 0));
  return Math.min(MAX_MB, Math.ceil(BASE_MB + bytes / (1024 * 1024)));
}

/** What sizes a session's process. */
type LimitOptions = Pick<PythonReplSessionOptions, 'context' | 'memoryLimitMb' | 'maxCapturedOutputChars' | 'pool'>;

function sessionLimits(options: LimitOptions, restore?: string): PythonProcessLimits {
  return {
    memoryLimitMb: options.memoryLimitMb ?? defaultPythonMemoryMb(options.context, restore),
    maxCapturedOutputChars: options.maxCapturedOutputChars ?? DEFAULT_MAX_CAPTURED_OUTPUT_CHARS,
    contextBytes: contextBytes(options.context) + (restore?.length ?? 0),
  };
}

/**
 * The heap limit a new session with these options will run under: its own, or the larger one of
 * a pooled process it takes. A request's sandbox memory budget reserves this (live-step-executor.ts).
 */
export function pythonSessionMemoryMb(options: LimitOptions): number {
  const limits = sessionLimits(options);
  return options.memoryLimitMb === undefined && options.pool !== undefined ? options.pool.memoryLimitMbFor(limits) : limits.memoryLimitMb;
}

type StepOutcome =
  | { readonly kind: 'completed'; readonly frame: Readonly<Record<string, unknown>> }
  | { readonly kind: 'ended'; readonly end: ProcessEnd }
  | { readonly kind: 'tripped'; readonly trip: WatchdogTrip };

interface ProcessOptions {
  readonly context: ContextValue;
  readonly extraContexts: readonly ContextValue[] | undefined;
  readonly host: ReplHost;
  readonly limits: PythonProcessLimits;
  readonly pool: PythonSandboxPool | undefined;
  readonly toolNames: readonly string[];
  readonly maxAnswerChars: number;
}

export class PythonReplSession {
  readonly #options: ProcessOptions;
  #process: PythonProcess | undefined;
  /** What a restore left out, until the first step's output has told the model. */
  #unreported: readonly SkippedGlobal[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  #stepCount = 0;
  #disposed = false;

  private constructor(options: ProcessOptions) {
    this.#options = options;
  }

  /** Starts the first sandbox right away, so a context that cannot load fails here, not in step 1. */
  static async create(options: PythonReplSessionOptions): Promise<PythonReplSession> {
    const restore = options.restore === undefined ? undefined : checkPythonSnapshot(options.restore);
    const session = new PythonReplSession({
      context: options.context,
      extraContexts: options.extraContexts,
      host: options.host,
      limits: sessionLimits(options, restore),
      // An explicit limit is exact: a pooled process would grant more.
      pool: options.memoryLimitMb === undefined ? options.pool : undefined,
      toolNames: options.toolNames ?? [],
      maxAnswerChars: options.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS,
    });
    session.#process = await session.#start(restore);
    session.#unreported = session.#process.skipped;
    return session;
  }

  /** A pooled process when one fits (a fresh one if it fails to take the context), else a new one. */
  async #start(restore?: string): Promise<PythonProcess> {
    const { context, extraContexts, host, limits, pool, toolNames, maxAnswerChars } = this.#options;
    const start = {
      context,
      host,
      toolNames,
      maxAnswerChars,
      ...(restore === undefined ? {} : { restore }),
      ...(extraContexts === undefined ? {} : { extraContexts }),
    };
    const pooled = pool?.take(limits);
    if (pooled !== undefined) {
      try {
        await pooled.begin(start);
        return pooled;
      } catch {
        // A spare that died while waiting: start one of our own below.
      }
    }
    const process = PythonProcess.spawn(limits);
    await process.begin(start);
    return process;
  }

  /**
   * The user state after the steps queued so far, as a snapshot text for `restore`. After a step
   * that reset the REPL this is the empty state, which is what the next step would start from.
   */
  snapshotText(): Promise<string> {
    const result = this.#queue.then(async () => {
      if (this.#disposed) throw new RlmError('sandbox', 'the REPL session was disposed');
      const process = this.#process;
      const text = process?.isAlive ? await process.snapshot() : EMPTY_PYTHON_SNAPSHOT;
      if (this.#unreported.length === 0) return text;
      // Restored but not yet told: the next session must tell the model what was lost.
      const parsed = JSON.parse(text) as { skipped: SkippedGlobal[] };
      return JSON.stringify({ ...parsed, skipped: [...this.#unreported, ...parsed.skipped] });
    });
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Milliseconds the current sandbox took to load Pyodide and the context (0 before one started). */
  get loadMs(): number {
    return this.#process?.loadMs ?? 0;
  }

  /** The live sandbox's resident set in bytes (undefined between a kill and the next step). */
  residentBytes(): number | undefined {
    return this.#process?.residentBytes();
  }

  /** Steps run one at a time, in call order. Rejects only if the session was disposed or no sandbox can start. */
  execute(code: string, options: StepOptions): Promise<StepResult> {
    const result = this.#queue.then(async () => {
      try {
        return this.#withRestoreNote(await this.#execute(code, options));
      } finally {
        // Between steps the host waits for the root model: the time to replace a spare this
        // session took (sandbox-pool.ts says why not during the step).
        this.#refillPool();
      }
    });
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Idempotent. A step that is running ends with reset `cancelled`. */
  dispose(): void {
    this.#disposed = true;
    this.#process?.kill('killed');
    this.#process = undefined;
    this.#refillPool();
  }

  /** Tops the pool up once the current call has returned: spawning blocks the event loop for a few milliseconds. */
  #refillPool(): void {
    const pool = this.#options.pool;
    if (pool !== undefined) setImmediate(() => pool.fill());
  }

  /** The first step after a lossy restore says what was lost, ahead of its own output. */
  #withRestoreNote(result: StepResult): StepResult {
    const note = restoreNote(this.#unreported);
    this.#unreported = [];
    if (note === undefined) return result;
    return { ...result, output: note + result.output, outputTotalChars: result.outputTotalChars + note.length };
  }

  async #execute(code: string, options: StepOptions): Promise<StepResult> {
    const startedAt = performance.now();
    const finish = (summary: StepSummary, reset?: ReplResetReason): StepResult => ({
      ...summary,
      ...(reset === undefined ? {} : { reset }),
      durationMs: Math.round(performance.now() - startedAt),
    });
    const process = await this.#liveProcess();
    if (options.signal?.aborted) {
      return finish({
        output: '',
        outputTotalChars: 0,
        error: { name: 'AbortError', message: 'step was cancelled before it started' },
        variables: [],
        pendingAwaited: 0,
      });
    }
    this.#stepCount += 1;
    const watchdog = startWatchdog(options.timeoutMs, options.signal);
    try {
      const outcome = await Promise.race<StepOutcome>([
        process.runStep(code, `<step-${this.#stepCount}>`).then(
          (frame) => ({ kind: 'completed', frame }),
          (error: unknown) => ({
            kind: 'ended',
            end: error instanceof ProcessEndedError ? error.end : 'crashed',
          }),
        ),
        watchdog.tripped.then((trip) => ({ kind: 'tripped', trip })),
      ]);
      switch (outcome.kind) {
        case 'completed': {
          const summary = parseStepSummary(outcome.frame, process.limits.maxCapturedOutputChars);
          process.output.append(summary.output, summary.outputTotalChars, summary.partialAnswer, process.step);
          if (summary.error?.name === 'MemoryError') {
            // A full heap wedges the interpreter (even parsing the next step fails): start afresh.
            process.kill('memory');
            return finish(this.#resetSummary(process, 'memory', options.timeoutMs), 'memory');
          }
          return finish({
            ...summary,
            output: process.output.text,
            outputTotalChars: process.output.totalChars,
          });
        }
        case 'tripped':
          process.kill('killed');
          return finish(this.#resetSummary(process, outcome.trip, options.timeoutMs), outcome.trip);
        case 'ended': {
          // Killed by dispose() (cancelled), by the memory watchdog, or it crashed: all lose the state.
          const reason: ReplResetReason = outcome.end === 'killed' ? 'cancelled' : outcome.end;
          return finish(this.#resetSummary(process, reason, options.timeoutMs), reason);
        }
        default:
          return assertNever(outcome, 'step outcome');
      }
    } finally {
      watchdog.stop();
    }
  }

  async #liveProcess(): Promise<PythonProcess> {
    if (this.#disposed) throw new RlmError('sandbox', 'the REPL session was disposed');
    if (this.#process?.isAlive) return this.#process;
    const process = await this.#start();
    if (this.#disposed) {
      // dispose() ran while the sandbox was starting: do not keep it alive behind the caller's back.
      process.kill('killed');
      throw new RlmError('sandbox', 'the REPL session was disposed');
    }
    this.#process = process;
    return process;
  }

  /** Describes the loss after a kill; the next step starts a fresh sandbox. */
  #resetSummary(process: PythonProcess, reason: ReplResetReason, timeoutMs: number): StepSummary {
    if (this.#process === process) this.#process = undefined;
    const lost = 'the REPL was reset and all variables were lost (`context` is still available)';
    const error = {
      timeout: {
        name: 'TimeoutError',
        message: `step timed out after ${(timeoutMs / 1000).toFixed(1)} s; ${lost}`,
      },
      memory: {
        name: 'MemoryLimitError',
        message: `step ran out of memory (limit ${process.limits.memoryLimitMb} MB); ${lost}`,
      },
      cancelled: { name: 'AbortError', message: `step was cancelled; ${lost}` },
      crashed: {
        name: 'SandboxCrash',
        message: `the Python interpreter stopped (a refused system call, such as starting a process, or a fatal error); ${lost}`,
      },
    }[reason];
    const partialAnswer = process.output.partialAnswer;
    return {
      output: process.output.text,
      outputTotalChars: process.output.totalChars,
      error,
      variables: [],
      pendingAwaited: 0,
      ...(partialAnswer === undefined ? {} : { partialAnswer }),
    };
  }
}
