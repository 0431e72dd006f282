/**
 * A JavaScript REPL for one RLM session: run steps one after another against a live isolate,
 * keeping variables between steps, and survive whatever a step does.
 *
 * A step that runs too long, is cancelled, or exhausts memory kills its isolate; the step's result
 * says so (`reset`) and the next step transparently gets a fresh isolate with the same `context`.
 * User errors never reject `execute`: they are data in `StepResult.error`.
 *
 * Between steps, `snapshot()` saves the user globals as plain data, and a session created with
 * `restore` starts from them, so a session's next step can run on another worker (see
 * state-snapshot.ts for what survives).
 */
import { assertNever, DEFAULT_MAX_ANSWER_CHARS, RlmError } from '@rlm/shared';
import type { ContextValue, ReplResetReason, StepResult, VariableInfo } from '@rlm/shared';
import { IsolateInstance } from './isolate-instance.ts';
import type { IsolateInstanceOptions } from './isolate-instance.ts';
import { defaultMemoryLimitMb } from './memory-limit.ts';
import type { ReplHost } from './repl-host.ts';
import { emptySnapshot } from './repl-snapshot.ts';
import type { ReplSnapshot, SkippedGlobal } from './repl-snapshot.ts';
import { rewriteStep } from './rewrite-declarations.ts';
import { restoreNote } from './state-snapshot.ts';
import type { StepSummary } from './step-summary.ts';
import { startWatchdog } from './watchdog.ts';
import type { WatchdogTrip } from './watchdog.ts';

export interface ReplSessionOptions {
  readonly context: ContextValue;
  /** A conversation's contexts after the first (`context_1`, ...); with them `context_0` names `context` too. */
  readonly extraContexts?: readonly ContextValue[];
  readonly host: ReplHost;
  /** Default: sized from the context and the state to restore (see memory-limit.ts). */
  readonly memoryLimitMb?: number;
  /** Default 1,000,000: printed text beyond this is counted but not kept. */
  readonly maxCapturedOutputChars?: number;
  /** Default 16 MiB: a FINAL larger than this is refused inside the isolate, with an error the model reads. */
  readonly maxAnswerChars?: number;
  /** Start with these user globals and answer state, taken by `snapshot()` in another session. */
  readonly restore?: ReplSnapshot;
  /** Names of the caller's tools (async functions in the REPL). */
  readonly toolNames?: readonly string[];
}

export interface StepOptions {
  /** Wall-clock budget of the step, including sub-calls it waits for. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

const DEFAULT_MAX_CAPTURED_OUTPUT_CHARS = 1_000_000;

type StepOutcome =
  | { readonly kind: 'completed'; readonly summary: StepSummary }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'tripped'; readonly trip: WatchdogTrip };

export class ReplSession {
  readonly #instanceOptions: IsolateInstanceOptions;
  #instance: IsolateInstance | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #stepCount = 0;
  #disposed = false;
  /** What a restore left out, until the first step's output has told the model. */
  #unreported: readonly SkippedGlobal[] = [];

  private constructor(instanceOptions: IsolateInstanceOptions) {
    this.#instanceOptions = instanceOptions;
  }

  /**
   * Starts the first isolate right away, so a context that cannot fit fails here, not in step 1.
   * With `restore`, globals that cannot be restored are left out and named in the first step's
   * output; this rejects only if the isolate dies while restoring (a state too big for its memory).
   */
  static async create(options: ReplSessionOptions): Promise<ReplSession> {
    const session = new ReplSession({
      context: options.context,
      ...(options.extraContexts === undefined ? {} : { extraContexts: options.extraContexts }),
      host: options.host,
      memoryLimitMb:
        options.memoryLimitMb ?? defaultMemoryLimitMb(options.context, options.restore),
      maxCapturedOutputChars: options.maxCapturedOutputChars ?? DEFAULT_MAX_CAPTURED_OUTPUT_CHARS,
      maxAnswerChars: options.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS,
      ...(options.toolNames === undefined ? {} : { toolNames: options.toolNames }),
    });
    const instance = await IsolateInstance.create(session.#instanceOptions);
    if (options.restore !== undefined) {
      try {
        const failed = await instance.restore(options.restore);
        session.#unreported = [...options.restore.skipped, ...failed];
      } catch (error) {
        instance.dispose();
        throw error;
      }
    }
    session.#instance = instance;
    return session;
  }

  /** Steps run one at a time, in call order. Rejects only if the session was disposed or no isolate can start. */
  execute(code: string, options: StepOptions): Promise<StepResult> {
    const result = this.#queue.then(async () =>
      this.#withRestoreNote(await this.#execute(code, options)),
    );
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /**
   * The user globals and answer state after the steps queued so far, as plain data for
   * `ReplSessionOptions.restore`. After a step that reset the REPL this is the empty state, which
   * is what the next step would start from. Rejects only if the session was disposed (or its
   * isolate dies while being read).
   */
  snapshot(): Promise<ReplSnapshot> {
    const result = this.#queue.then(() => this.#snapshot());
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Idempotent. A step that is running ends with reset `cancelled`. */
  dispose(): void {
    this.#disposed = true;
    this.#instance?.dispose();
    this.#instance = undefined;
  }

  async #snapshot(): Promise<ReplSnapshot> {
    if (this.#disposed) throw new RlmError('sandbox', 'the REPL session was disposed');
    const instance = this.#instance;
    const snapshot =
      instance === undefined || !instance.isAlive ? emptySnapshot() : await instance.snapshot();
    // Restored but no step run yet: the model has not been told, so the next session must tell it.
    return { ...snapshot, skipped: [...this.#unreported, ...snapshot.skipped] };
  }

  /** The first step after a lossy restore says what was lost, ahead of its own output. */
  #withRestoreNote(result: StepResult): StepResult {
    const note = restoreNote(this.#unreported);
    this.#unreported = [];
    if (note === undefined) return result;
    return {
      ...result,
      output: note + result.output,
      outputTotalChars: result.outputTotalChars + note.length,
    };
  }

  async #execute(code: string, options: StepOptions): Promise<StepResult> {
    const startedAt = performance.now();
    const finish = (summary: StepSummary, reset?: ReplResetReason): StepResult => ({
      ...summary,
      ...(reset === undefined ? {} : { reset }),
      durationMs: Math.round(performance.now() - startedAt),
    });

    const instance = await this.#liveInstance();
    if (options.signal?.aborted) {
      return finish(
        errorSummary(
          'AbortError',
          'step was cancelled before it started',
          await safeVariables(instance),
        ),
      );
    }
    const rewrite = rewriteStep(code);
    if (!rewrite.ok)
      return finish(
        errorSummary(rewrite.error.name, rewrite.error.message, await safeVariables(instance)),
      );

    this.#stepCount += 1;
    const watchdog = startWatchdog(options.timeoutMs, options.signal);
    try {
      const outcome = await Promise.race<StepOutcome>([
        instance.runStep(rewrite, `step-${this.#stepCount}.js`, options.timeoutMs).then(
          (summary) => ({ kind: 'completed', summary }),
          (error: unknown) => ({ kind: 'failed', error }),
        ),
        watchdog.tripped.then((trip) => ({ kind: 'tripped', trip })),
      ]);
      switch (outcome.kind) {
        case 'completed':
          return finish(outcome.summary);
        case 'tripped':
          return finish(this.#reset(instance, outcome.trip, options.timeoutMs), outcome.trip);
        case 'failed': {
          const { summary, reset } = await this.#afterFailure(
            instance,
            outcome.error,
            options.timeoutMs,
          );
          return finish(summary, reset);
        }
        default:
          return assertNever(outcome, 'step outcome');
      }
    } finally {
      watchdog.stop();
    }
  }

  async #liveInstance(): Promise<IsolateInstance> {
    if (this.#disposed) throw new RlmError('sandbox', 'the REPL session was disposed');
    if (this.#instance?.isAlive) return this.#instance;
    this.#instance?.dispose();
    const instance = await IsolateInstance.create(this.#instanceOptions);
    if (this.#disposed) {
      // dispose() ran while the isolate was starting: do not keep it alive behind the caller's back.
      instance.dispose();
      throw new RlmError('sandbox', 'the REPL session was disposed');
    }
    this.#instance = instance;
    return instance;
  }

  /** Kills the isolate and describes the loss; the next step starts a fresh one. */
  #reset(instance: IsolateInstance, reason: ReplResetReason, timeoutMs: number): StepSummary {
    instance.dispose();
    if (this.#instance === instance) this.#instance = undefined;
    const { text, totalChars } = instance.output;
    const partialAnswer = instance.partialAnswer;
    const lost = 'the REPL was reset and all variables were lost (`context` is still available)';
    const error = {
      timeout: {
        name: 'TimeoutError',
        message: `step timed out after ${(timeoutMs / 1000).toFixed(1)} s; ${lost}`,
      },
      memory: {
        name: 'MemoryLimitError',
        message: `step ran out of memory (limit ${this.#instanceOptions.memoryLimitMb} MB); ${lost}`,
      },
      cancelled: { name: 'AbortError', message: `step was cancelled; ${lost}` },
      // Only the Python sandbox's interpreter can die on its own; listed for completeness.
      crashed: { name: 'SandboxCrash', message: `the REPL stopped; ${lost}` },
    }[reason];
    return {
      output: text,
      outputTotalChars: totalChars,
      error,
      variables: [],
      pendingAwaited: 0,
      ...(partialAnswer === undefined ? {} : { partialAnswer }),
    };
  }

  /** The step's run rejected: the isolate hit its memory limit, a CPU timeout, or was disposed under it. */
  async #afterFailure(
    instance: IsolateInstance,
    error: unknown,
    timeoutMs: number,
  ): Promise<{ summary: StepSummary; reset?: ReplResetReason }> {
    const message = error instanceof Error ? error.message : String(error);
    let reset: ReplResetReason | undefined;
    if (instance.lostToMemory) reset = 'memory';
    else if (instance.disposedByUs) reset = 'cancelled';
    else if (/timed out/i.test(message)) reset = 'timeout';
    if (reset !== undefined) return { summary: this.#reset(instance, reset, timeoutMs), reset };
    // Anything else is isolated-vm refusing something while the isolate lives on: keep the state.
    return { summary: errorSummary('SandboxError', message, await safeVariables(instance)) };
  }
}

function errorSummary(name: string, message: string, variables: VariableInfo[]): StepSummary {
  return {
    output: '',
    outputTotalChars: 0,
    error: { name, message },
    variables,
    pendingAwaited: 0,
  };
}

async function safeVariables(instance: IsolateInstance): Promise<VariableInfo[]> {
  try {
    return await instance.listVariables();
  } catch {
    return [];
  }
}
