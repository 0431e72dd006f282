/**
 * One sealed Python sandbox: a child Node process running Pyodide (child/python-child.ts), started
 * with the seal of sandbox-seal.ts, watched for memory, and answering its sub-calls through the
 * same host bridge as the JavaScript sandbox (so every host-side limit applies to both languages).
 *
 * The process lives as long as the REPL's state does. A step the watchdog stops, or a process
 * that outgrows its memory, is killed outright (SIGKILL): Python cannot catch or delay it.
 */
import { spawn } from 'node:child_process';
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

export interface PythonProcessOptions {
  readonly context: ContextValue;
  readonly host: ReplHost;
  /** Python's heap (the WebAssembly memory) may grow to this; beyond it Python raises MemoryError. */
  readonly memoryLimitMb: number;
  readonly maxCapturedOutputChars: number;
  /** A snapshot text (python-snapshot.ts) to start from. */
  readonly restore?: string;
}

/** Why the process ended, when it ended on its own or by our hand. */
export type ProcessEnd = 'memory' | 'killed' | 'crashed';

/** Printed text is sent to the parent in chunks of this size (and before every sub-call). */
const FLUSH_CHARS = 16_384;
/** How often the resident set is checked. */
const MEMORY_POLL_MS = 100;
/** Room for Node, V8 and Pyodide's code next to Python's heap (measured: ~170 MB after load). */
const PROCESS_OVERHEAD_MB = 384;
/** A frame from the child larger than this is an attack or a bug (answers travel in results). */
const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export class PythonProcess {
  readonly output: CapturedOutput;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #host: ReplHost;
  readonly #memoryTimer: NodeJS.Timeout;
  readonly #exited: Promise<ProcessEnd>;
  #end: ProcessEnd | undefined;
  #killReason: ProcessEnd | undefined;
  #onResult: ((frame: ChildFrame) => void) | undefined;
  #onSnapshot: ((frame: ChildFrame) => void) | undefined;
  #loadMs = 0;
  #skipped: readonly SkippedGlobal[] = [];

  private constructor(child: ChildProcessWithoutNullStreams, options: PythonProcessOptions) {
    this.#child = child;
    this.#host = options.host;
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
  }

  /** Starts the process, loads Pyodide and copies the context in. Rejects with RlmError('sandbox'). */
  static async start(options: PythonProcessOptions): Promise<PythonProcess> {
    const { command, args } = sealedCommand(options);
    const child = spawn(command, args, { env: {}, stdio: ['pipe', 'pipe', 'pipe'] });
    const process = new PythonProcess(child, options);
    const ready = new Promise<void>((resolve, reject) => {
      process.#listen(
        (frame) => {
          if (frame.type === 'ready') {
            process.#loadMs = typeof frame['loadMs'] === 'number' ? frame['loadMs'] : 0;
            process.#skipped = parseSkipped(frame['skipped']);
            resolve();
          } else reject(new Error(`the Python sandbox failed to start: ${String(frame['message'])}`));
        },
      );
      void process.#exited.then((end) => reject(new Error(`the Python sandbox exited while starting (${end})`)));
    });
    const context = options.context;
    child.stdin.write(
      encodeFrame({
        type: 'init',
        pyodideDir: pyodideDirectory(),
        runtimeSource: pythonRuntimeSource(),
        ...(typeof context === 'string' ? { contextText: context } : { context }),
        outputCap: options.maxCapturedOutputChars,
        flushChars: FLUSH_CHARS,
        ...(options.restore === undefined ? {} : { restore: options.restore }),
      }),
    );
    try {
      await ready;
      return process;
    } catch (error) {
      process.kill('killed');
      throw new RlmError('sandbox', error instanceof Error ? error.message : String(error), { cause: error });
    }
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
  get exited(): Promise<ProcessEnd> {
    return this.#exited;
  }

  /** Runs one step; resolves with the runtime's result frame, rejects with the ProcessEnd if the process dies. */
  runStep(code: string, fileName: string): Promise<ChildFrame> {
    this.output.reset();
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

  #listen(onStart: (frame: ChildFrame) => void): void {
    const reader = new FrameReader(MAX_FRAME_BYTES);
    let started = false;
    this.#child.stdout.on('data', (chunk: Buffer) => {
      let frames: ChildFrame[];
      try {
        frames = reader.push(chunk);
      } catch {
        this.kill('crashed');
        return;
      }
      for (const frame of frames) {
        if (!started && (frame.type === 'ready' || frame.type === 'fatal')) {
          started = true;
          onStart(frame);
        } else this.#handle(frame);
      }
    });
  }

  #handle(frame: ChildFrame): void {
    switch (frame.type) {
      case 'output':
        this.output.append(frame['text'], frame['total']);
        return;
      case 'call':
        this.output.append(frame['output'], frame['total'], frame['partialAnswer']);
        void dispatchHostCall(this.#host, frame['name'], frame['payload'], frame['options']).then((value) => {
          if (this.isAlive) this.#child.stdin.write(encodeFrame({ type: 'reply', value }));
        });
        return;
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
