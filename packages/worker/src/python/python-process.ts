/**
 * One sealed Python sandbox: a child Node process running Pyodide (child/python-child.ts), started
 * with the seal of sandbox-seal.ts, watched for memory, and answering its sub-calls through the
 * same host bridge as the JavaScript sandbox (so every host-side limit applies to both languages).
 *
 * The process lives as long as the REPL's state does. A step the watchdog stops, or a process
 * that outgrows its memory, is killed outright (SIGKILL): Python cannot catch or delay it.
 */
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { RlmError } from '@rlm/shared';
import type { ContextValue } from '@rlm/shared';
import { CapturedOutput } from '../sandbox/captured-output.ts';
import { dispatchHostCall } from '../sandbox/host-bridge.ts';
import type { ReplHost } from '../sandbox/repl-host.ts';
import type { SkippedGlobal } from '../sandbox/repl-snapshot.ts';
import { encodeFrame, FrameReader } from './frame-reader.ts';
import type { ChildFrame } from './frame-reader.ts';
import { readResidentBytes } from './resident-memory.ts';
import { pyodideDirectory, pythonRuntimeSource, sealedCommand } from './sandbox-seal.ts';

/** Fixed when the process starts (they become V8 flags): a pooled process serves sessions that fit. */
export interface PythonProcessLimits {
  /** Python's heap (the WebAssembly memory) may grow to this; beyond it Python raises MemoryError. */
  readonly memoryLimitMb: number;
  readonly maxCapturedOutputChars: number;
  /** Sizes the JavaScript heap, which holds the context while it is copied in. */
  readonly contextBytes: number;
}

/** What a session gives the process it takes. */
export interface PythonSessionStart {
  readonly context: ContextValue;
  /** A conversation's contexts after the first (`context_1`, ...; `context_0` names `context`). */
  readonly extraContexts?: readonly ContextValue[];
  readonly host: ReplHost;
  /** A snapshot text (python-snapshot.ts) to start from. */
  readonly restore?: string;
  /** Names of the caller's tools, each defined as a function in the REPL. */
  readonly toolNames?: readonly string[];
  /** Largest final answer the sandbox hands out (longer ones are refused inside it). */
  readonly maxAnswerChars?: number;
}

/** Why the process ended, when it ended on its own or by our hand. */
export type ProcessEnd = 'memory' | 'killed' | 'crashed';

/** Printed text is sent to the parent in chunks of this size (and before every sub-call). */
const FLUSH_CHARS = 16_384;
/** How often the resident set is checked. */
const MEMORY_POLL_MS = 100;
/** Room for Node, V8 and Pyodide's code next to Python's heap (measured: ~170 MB after load). */
const PROCESS_OVERHEAD_MB = 384;
/** Sandboxes run below the engine (niceness 0-19: higher is lower priority). */
const SANDBOX_NICENESS = 10;
/** A frame from the child larger than this is an attack or a bug (answers travel in results). */
const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export class PythonProcess {
  readonly output: CapturedOutput;
  /**
   * The step now running. The child runs one step at a time and its frames carry no step number,
   * so every frame belongs to the current step (the JS isolate tags its own, see CapturedOutput).
   */
  #step = 0;
  readonly limits: PythonProcessLimits;
  /** Settles when Pyodide has loaded (rejects with RlmError('sandbox') if it cannot). */
  readonly loaded: Promise<void>;
  readonly #child: ChildProcessWithoutNullStreams;
  #host: ReplHost | undefined;
  #onReady: ((frame: ChildFrame) => void) | undefined;
  readonly #memoryTimer: NodeJS.Timeout;
  readonly #exited: Promise<ProcessEnd>;
  #end: ProcessEnd | undefined;
  #killReason: ProcessEnd | undefined;
  #onResult: ((frame: ChildFrame) => void) | undefined;
  #onSnapshot: ((frame: ChildFrame) => void) | undefined;
  #loadMs = 0;
  #skipped: readonly SkippedGlobal[] = [];

  private constructor(child: ChildProcessWithoutNullStreams, options: PythonProcessLimits) {
    this.#child = child;
    this.limits = options;
    this.output = new CapturedOutput(options.maxCapturedOutputChars);
    const limitBytes = (options.memoryLimitMb + PROCESS_OVERHEAD_MB) * 1024 * 1024;
    this.#memoryTimer = setInterval(() => {
      const resident = child.pid === undefined ? undefined : readResidentBytes(child.pid);
      if (resident !== undefined && resident > limitBytes) this.kill('memory');
    }, MEMORY_POLL_MS);
    this.#memoryTimer.unref();
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => {
        clearInterval(this.#memoryTimer);
        this.#end = this.#killReason ?? 'crashed';
        resolve(this.#end);
      });
    });
    // A child that dies mid-write must not become an unhandled 'error' in the host.
    child.stdin.on('error', () => {});
    child.stdout.on('error', () => {});
    child.stderr.resume();
    this.loaded = this.#expect('loaded').then(
      (frame) => {
        this.#loadMs = typeof frame['loadMs'] === 'number' ? frame['loadMs'] : 0;
      },
      (error: unknown) => this.#failStart(error),
    );
    // A pooled process may wait a long time before anyone awaits it.
    this.loaded.catch(() => {});
    this.#listen();
    child.stdin.write(
      encodeFrame({
        type: 'init',
        pyodideDir: pyodideDirectory(),
        runtimeSource: pythonRuntimeSource(),
        outputCap: options.maxCapturedOutputChars,
        flushChars: FLUSH_CHARS,
      }),
    );
  }

  /** Starts a sealed process and begins loading Pyodide; await `loaded`, then `begin`. */
  static spawn(limits: PythonProcessLimits): PythonProcess {
    const { command, args } = sealedCommand(limits);
    const child = spawn(command, args, { env: {}, stdio: ['pipe', 'pipe', 'pipe'] });
    // The engine's own work (dispatching sub-calls, watchdogs) comes before the model's code and
    // before a pool loading spares: measured, a spare loading during a 400-call fan-out on 2 cores
    // more than doubled the step.
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, SANDBOX_NICENESS);
      } catch {
        // Not permitted here: the sandbox runs at the engine's priority.
      }
    }
    return new PythonProcess(child, limits);
  }

  /** Copies the context in (and restores a snapshot). Rejects with RlmError('sandbox'). */
  async begin(start: PythonSessionStart): Promise<void> {
    await this.loaded;
    this.#host = start.host;
    const ready = this.#expect('ready');
    const { context } = start;
    this.#child.stdin.write(
      encodeFrame({
        type: 'context',
        ...(typeof context === 'string' ? { contextText: context } : { context }),
        ...(start.restore === undefined ? {} : { restore: start.restore }),
        toolNames: start.toolNames ?? [],
        ...(start.maxAnswerChars === undefined ? {} : { answerCap: start.maxAnswerChars }),
        ...(start.extraContexts === undefined ? {} : { extraContexts: start.extraContexts }),
      }),
    );
    try {
      const frame = await ready;
      this.#skipped = parseSkipped(frame['skipped']);
    } catch (error) {
      this.#failStart(error);
    }
  }

  /** Whether the process keeps the host's event loop alive: off while it waits in a pool. */
  setReferenced(referenced: boolean): void {
    for (const handle of [this.#child, this.#child.stdin, this.#child.stdout, this.#child.stderr]) {
      const target = handle as { ref?: () => void; unref?: () => void };
      if (referenced) target.ref?.();
      else target.unref?.();
    }
  }

  #expect(type: 'loaded' | 'ready'): Promise<ChildFrame> {
    return new Promise((resolve, reject) => {
      this.#onReady = (frame) => {
        if (frame.type === type) resolve(frame);
        else reject(new Error(`the Python sandbox failed to start: ${String(frame['message'])}`));
      };
      void this.#exited.then((end) => reject(new Error(`the Python sandbox exited while starting (${end})`)));
    });
  }

  #failStart(error: unknown): never {
    this.kill('killed');
    throw new RlmError('sandbox', error instanceof Error ? error.message : String(error), { cause: error });
  }

  get isAlive(): boolean {
    return this.#end === undefined && this.#killReason === undefined;
  }

  /** The sandbox's resident set in bytes (undefined once it is gone). */
  residentBytes(): number | undefined {
    const pid = this.#child.pid;
    return pid === undefined || !this.isAlive ? undefined : readResidentBytes(pid);
  }

  /** How long loading Pyodide and the context took inside the child. */
  get loadMs(): number {
    return this.#loadMs;
  }

  /** What a restore could not bring back (empty without a restore). */
  get skipped(): readonly SkippedGlobal[] {
    return this.#skipped;
  }

  /** Resolves when the process has exited, with why. */
  /** The number of the step now running (or last run), for appending that step's output. */
  get step(): number {
    return this.#step;
  }

  get exited(): Promise<ProcessEnd> {
    return this.#exited;
  }

  /** Runs one step; resolves with the runtime's result frame, rejects with the ProcessEnd if the process dies. */
  runStep(code: string, fileName: string): Promise<ChildFrame> {
    this.#step += 1;
    this.output.reset(this.#step);
    return new Promise((resolve, reject) => {
      this.#onResult = resolve;
      void this.#exited.then((end) => reject(new ProcessEndedError(end)));
      this.#child.stdin.write(encodeFrame({ type: 'step', code, fileName }));
    });
  }

  /** The REPL state as a snapshot text; rejects with the ProcessEnd if the process dies. */
  snapshot(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#onSnapshot = (frame) => resolve(typeof frame['text'] === 'string' ? frame['text'] : '');
      void this.#exited.then((end) => reject(new ProcessEndedError(end)));
      this.#child.stdin.write(encodeFrame({ type: 'snapshot' }));
    });
  }

  /** Idempotent; the first reason given is the one reported. */
  kill(reason: ProcessEnd): void {
    if (this.#end !== undefined || this.#killReason !== undefined) return;
    this.#killReason = reason;
    clearInterval(this.#memoryTimer);
    this.#child.kill('SIGKILL');
  }

  #listen(): void {
    const reader = new FrameReader(MAX_FRAME_BYTES);
    this.#child.stdout.on('data', (chunk: Buffer) => {
      let frames: ChildFrame[];
      try {
        frames = reader.push(chunk);
      } catch {
        this.kill('crashed');
        return;
      }
      for (const frame of frames) this.#handle(frame);
    });
  }

  #handle(frame: ChildFrame): void {
    switch (frame.type) {
      case 'output':
        this.output.append(frame['text'], frame['total'], undefined, this.#step);
        return;
      case 'call': {
        this.output.append(frame['output'], frame['total'], frame['partialAnswer'], this.#step);
        const host = this.#host;
        const answer =
          host === undefined
            ? Promise.resolve('Error: no session')
            : dispatchHostCall(host, frame['name'], frame['payload'], frame['options']);
        void answer.then((value) => {
          if (this.isAlive) this.#child.stdin.write(encodeFrame({ type: 'reply', value }));
        });
        return;
      }
      case 'loaded':
      case 'ready':
      case 'fatal': {
        const onReady = this.#onReady;
        this.#onReady = undefined;
        onReady?.(frame);
        return;
      }
      case 'result': {
        const onResult = this.#onResult;
        this.#onResult = undefined;
        onResult?.(frame);
        return;
      }
      case 'snapshot': {
        const onSnapshot = this.#onSnapshot;
        this.#onSnapshot = undefined;
        onSnapshot?.(frame);
        return;
      }
      default:
        // Unknown frames come from user code writing to /dev/rlm: ignore them.
        return;
    }
  }
}

/** The child reports what a restore skipped; anything malformed is dropped. */
function parseSkipped(raw: unknown): SkippedGlobal[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { name, reason } = item as Record<string, unknown>;
    return typeof name === 'string' && typeof reason === 'string' ? [{ name, reason }] : [];
  });
}

export class ProcessEndedError extends Error {
  readonly end: ProcessEnd;

  constructor(end: ProcessEnd) {
    super(`the Python sandbox process ended (${end})`);
    this.end = end;
  }
}
