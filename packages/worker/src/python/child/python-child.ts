/**
 * The Python REPL's child process: loads Pyodide from the npm package, then serves steps, one at a
 * time, over stdin/stdout with length-prefixed JSON frames (see ../child-frames.ts for the shapes).
 *
 * This file runs in a separate, sealed Node process (python-process.ts starts it): an empty
 * environment, the permission model allowing reads of the Pyodide package and this file only, and,
 * where the kernel allows it, no network namespace. It imports nothing but Node builtins and
 * Pyodide, because every other file would need its own read permission.
 *
 * The loop is synchronous on purpose: while Python waits for `llm_query`, this process blocks in
 * `readSync` on stdin until the parent answers, so Python sees plain functions, and a parent that
 * kills this process (the watchdog) needs no cooperation from it.
 */
import { constants as fsConstants, readSync, writeSync } from 'node:fs';

interface Frame {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** The subset of Pyodide's API this file uses. */
interface Pyodide {
  readonly FS: EmscriptenFs;
  setInterruptBuffer(buffer: unknown): void;
  runPython(code: string, options?: { globals?: unknown }): unknown;
  toPy(value: unknown): unknown;
  globals: { get(name: string): unknown; set(name: string, value: unknown): void };
}

interface EmscriptenFs {
  makedev(major: number, minor: number): number;
  registerDevice(dev: number, ops: DeviceOps): void;
  mkdev(path: string, dev: number): void;
}

interface DeviceStream {
  reply?: Uint8Array;
  replyOffset?: number;
}

interface DeviceOps {
  read(stream: DeviceStream, buffer: Uint8Array, offset: number, length: number): number;
  write(stream: DeviceStream, buffer: Uint8Array, offset: number, length: number): number;
}

type PythonCallable = (...args: unknown[]) => unknown;

const OUTPUT_MARK = 0x4f;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

// ---- framed I/O on fds 0 and 1 ----------------------------------------------------------------

function readExactly(length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let offset = 0;
  while (offset < length) {
    let read: number;
    try {
      read = readSync(0, buffer, offset, length - offset, null);
    } catch (error) {
      // A pipe some library switched to non-blocking mode: wait a little and read again.
      if ((error as { code?: string }).code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, 2);
        continue;
      }
      throw error;
    }
    // The parent closed stdin: it is gone or done with us.
    if (read === 0) process.exit(0);
    offset += read;
  }
  return buffer;
}

function readFrame(): Frame {
  const length = readExactly(4).readUInt32BE(0);
  return JSON.parse(readExactly(length).toString('utf8')) as Frame;
}

function writeAll(bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset, bytes.length - offset);
    } catch (error) {
      if ((error as { code?: string }).code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, 2);
        continue;
      }
      throw error;
    }
  }
}

function sendFrame(frame: Frame): void {
  sendBody(Buffer.from(JSON.stringify(frame), 'utf8'));
}

function sendBody(body: Uint8Array): void {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(body.length, 0);
  writeAll(Buffer.concat([header, body]));
}

// ---- the host device --------------------------------------------------------------------------

/**
 * `/dev/rlm`: Python writes one call frame (JSON) and reads the parent's answer back. A device
 * rather than a JavaScript function handed to Python, so the Python heap holds no proxy of a
 * JavaScript object that user code could walk to this process's globals.
 */
function installHostDevice(pyodide: Pyodide): void {
  const fs = pyodide.FS;
  const dev = fs.makedev(64, 0);
  fs.registerDevice(dev, {
    write(stream, buffer, offset, length) {
      // One leading byte says whether the frame waits for an answer: `O`utput does not, `C`all does.
      // User code can write here too, so only those two shapes, with known fields, go out.
      const frame = parseDeviceFrame(buffer.slice(offset + 1, offset + length));
      const isOutput = buffer[offset] === OUTPUT_MARK;
      if (frame === undefined || (frame.type === 'output') !== isOutput) throw new Error('bad frame');
      sendFrame(frame);
      if (isOutput) return length;
      const reply = readFrame();
      stream.reply = Buffer.from(JSON.stringify(reply['value'] ?? null), 'utf8');
      stream.replyOffset = 0;
      return length;
    },
    read(stream, buffer, offset, length) {
      const reply = stream.reply;
      if (reply === undefined) return 0;
      const start = stream.replyOffset ?? 0;
      const count = Math.min(length, reply.length - start);
      buffer.set(reply.subarray(start, start + count), offset);
      stream.replyOffset = start + count;
      return count;
    },
  });
  fs.mkdev('/dev/rlm', dev);
}

function parseDeviceFrame(bytes: Uint8Array): Frame | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const record = raw as Record<string, unknown>;
  if (record['type'] === 'output')
    return { type: 'output', text: record['text'], total: record['total'] };
  if (record['type'] === 'call')
    return {
      type: 'call',
      name: record['name'],
      payload: record['payload'],
      options: record['options'],
      output: record['output'],
      total: record['total'],
      partialAnswer: record['partialAnswer'],
    };
  return undefined;
}

// ---- output flushing --------------------------------------------------------------------------

/** SIGUSR1 (Linux numbering, which Emscripten's CPython uses); rlm_runtime.py flushes its output on it. */
const FLUSH_SIGNAL = 10;
const FLUSH_INTERVAL_MS = 250;

/**
 * Pyodide's interrupt buffer, read by the interpreter every few dozen bytecode ticks (its
 * `_Py_CheckEmscriptenSignals_Helper` reads element 0 and writes 0 back): a getter that raises
 * FLUSH_SIGNAL once per interval gives Python a periodic flush even in a loop that prints nothing
 * more. Nothing else can run while Python computes: this process is single-threaded.
 */
function flushClock(): object {
  let last = performance.now();
  return Object.defineProperty({}, '0', {
    get(): number {
      const now = performance.now();
      if (now - last < FLUSH_INTERVAL_MS) return 0;
      last = now;
      return FLUSH_SIGNAL;
    },
    set(): void {},
  });
}

// ---- start ------------------------------------------------------------------------------------

/** Pyodide's Node file-system layer reads open(2) flags through process.binding, which the permission model refuses. */
function narrowProcessBinding(): void {
  const fsFlags = { fs: fsConstants };
  Object.defineProperty(process, 'binding', {
    value: (name: string) => {
      if (name === 'constants') return fsFlags;
      throw new Error(`process.binding(${name}) is not available in the Python sandbox`);
    },
  });
}

/**
 * Python code that digs a JavaScript proxy out of Pyodide's internals (it can: see the escape
 * tests) runs JavaScript in this process. The process seal stops files, processes and sockets;
 * these removals stop the rest: signals to other processes of the same user (`kill`, and
 * `_debugProcess`, which would open another Node process's inspector), loading modules, and
 * network APIs (for machines without a network namespace).
 */
function stripProcessGlobals(): void {
  const scope = globalThis as Record<string, unknown>;
  for (const name of ['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest', 'navigator'])
    delete scope[name];
  for (const name of [
    'kill',
    '_kill',
    '_debugProcess',
    '_debugEnd',
    'getBuiltinModule',
    'dlopen',
    '_linkedBinding',
    'openStdin',
    'chdir',
    'setuid',
    'setgid',
    'seteuid',
    'setegid',
    'setgroups',
    'initgroups',
  ])
    Object.defineProperty(process, name, { value: undefined });
}

async function start(): Promise<void> {
  const init = readFrame();
  if (init.type !== 'init') throw new Error('expected an init frame');
  const started = performance.now();
  narrowProcessBinding();
  const pyodideDir = String(init['pyodideDir']);
  const module = (await import(`${pyodideDir}/pyodide.mjs`)) as {
    loadPyodide(options: Record<string, unknown>): Promise<Pyodide>;
  };
  const pyodide = await module.loadPyodide({
    indexURL: `${pyodideDir}/`,
    // `import js` would otherwise be this process's globalThis.
    jsglobals: Object.create(null) as object,
    env: { HOME: '/home/pyodide' },
    stdin: () => null,
    stdout: () => {},
    stderr: () => {},
    packages: [],
  });
  installHostDevice(pyodide);
  stripProcessGlobals();
  const namespace = pyodide.toPy({});
  pyodide.runPython(String(init['runtimeSource']), { globals: namespace });
  const runtime = namespace as { get(name: string): PythonCallable };
  pyodide.setInterruptBuffer(flushClock());
  runtime.get('_rlm_warm_up')();
  // Loaded: a pooled sandbox waits here until a session hands it a context.
  sendFrame({ type: 'loaded', loadMs: Math.round(performance.now() - started) });
  const session = readFrame();
  if (session.type !== 'context') throw new Error('expected a context frame');
  const context = session['contextText'] ?? session['context'];
  const extraContexts = session['extraContexts'];
  runtime.get('_rlm_setup')(
    typeof context === 'string' ? context : pyodide.toPy(context),
    init['outputCap'],
    init['flushChars'],
    pyodide.toPy(Array.isArray(session['toolNames']) ? session['toolNames'].map(String) : []),
    Array.isArray(extraContexts) ? pyodide.toPy(extraContexts) : undefined,
    typeof session['answerCap'] === 'number' ? session['answerCap'] : undefined,
  );
  const restore = session['restore'];
  const skipped = typeof restore === 'string' ? String(runtime.get('_rlm_restore')(restore)) : '[]';
  sendFrame({ type: 'ready', skipped: JSON.parse(skipped) as unknown });
  serve(runtime.get('_rlm_run_step'), runtime.get('_rlm_snapshot'));
}

function serve(runStep: PythonCallable, snapshot: PythonCallable): never {
  for (;;) {
    const frame = readFrame();
    // The runtime answers with JSON texts, so no Python object crosses into JavaScript.
    if (frame.type === 'step') {
      sendBody(Buffer.from(String(runStep(String(frame['code']), String(frame['fileName']))), 'utf8'));
    } else if (frame.type === 'snapshot') {
      sendFrame({ type: 'snapshot', text: String(snapshot()) });
    } else throw new Error(`unexpected frame ${frame.type}`);
  }
}

start().catch((error: unknown) => {
  try {
    sendFrame({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
  } finally {
    process.exit(1);
  }
});
