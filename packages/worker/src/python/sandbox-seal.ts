/**
 * How the Python sandbox process is sealed (see docs/decisions/2026-11-29-python-repl-sandbox.md):
 *
 * - an empty environment (set by the caller of spawn): no API key, no canary, nothing;
 * - Node's permission model: reads of the Pyodide package and the child script only, no writes,
 *   no child processes, no worker threads, no native addons, no WASI, no inspector;
 * - a network namespace of its own (`unshare -rn`) where unprivileged user namespaces exist, so
 *   not even a leaked proxy of this process's JavaScript can open a socket; elsewhere the child
 *   strips fetch/getBuiltinModule and Pyodide's sockets have no route (the record says so);
 * - `setpriv --pdeathsig KILL` where util-linux has it: the sandbox dies with the worker that
 *   started it, even mid-step (a worker killed with SIGKILL cannot clean up after itself);
 * - V8 caps: WebAssembly memory pages (Python's heap; a bigger allocation is a MemoryError) and
 *   the JavaScript heap.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContextValue } from '@rlm/shared';

/**
 * The child's entry next to this module: the TypeScript source in the repository (run unbuilt), the
 * built JavaScript in the published package (Node does not strip types under node_modules).
 */
const CHILD_SCRIPT = import.meta.url.endsWith('.ts')
  ? './child/python-child.ts'
  : './child/python-child.js';
const WASM_PAGE_BYTES = 64 * 1024;
const MiB = 1024 * 1024;
/** The JavaScript heap holds the context while it is copied in (raw frame, string, parse). */
const JS_HEAP_BASE_MB = 256;
const JS_HEAP_CONTEXT_COPIES = 4;

let cachedPyodideDir: string | undefined;
let cachedRuntime: string | undefined;
let cachedUnshare: string | null | undefined;
let cachedSetpriv: string | null | undefined;

/** The installed `pyodide` npm package, resolved through symlinks (the permission model checks real paths). */
export function pyodideDirectory(): string {
  cachedPyodideDir ??= realpathSync(dirname(fileURLToPath(import.meta.resolve('pyodide'))));
  return cachedPyodideDir;
}

/** The Python side of the protocol, sent to each child at start. */
export function pythonRuntimeSource(): string {
  cachedRuntime ??= readFileSync(new URL('./child/rlm_runtime.py', import.meta.url), 'utf8');
  return cachedRuntime;
}

/**
 * The `unshare` binary when this machine lets an unprivileged process have its own (empty) network
 * namespace; undefined otherwise (containers often forbid user namespaces).
 */
export function networkNamespaceCommand(): string | undefined {
  if (cachedUnshare === undefined) {
    const found = ['/usr/bin/unshare', '/bin/unshare'].find((path) => existsSync(path));
    const probe =
      found === undefined
        ? undefined
        : spawnSync(found, ['-rn', 'true'], { env: {}, stdio: 'ignore', timeout: 5_000 });
    cachedUnshare = found !== undefined && probe?.status === 0 ? found : null;
  }
  return cachedUnshare ?? undefined;
}

/** `setpriv`, when it can give the sandbox a parent-death signal. */
export function parentDeathCommand(): string | undefined {
  if (cachedSetpriv === undefined) {
    const found = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));
    const probe =
      found === undefined
        ? undefined
        : spawnSync(found, ['--pdeathsig', 'KILL', 'true'], { env: {}, stdio: 'ignore', timeout: 5_000 });
    cachedSetpriv = found !== undefined && probe?.status === 0 ? found : null;
  }
  return cachedSetpriv ?? undefined;
}

export interface SealOptions {
  readonly contextBytes: number;
  readonly memoryLimitMb: number;
}

export function sealedCommand(options: SealOptions): { command: string; args: string[] } {
  const script = realpathSync(fileURLToPath(new URL(CHILD_SCRIPT, import.meta.url)));
  const contextMb = options.contextBytes / MiB;
  const nodeArgs = [
    '--permission',
    `--allow-fs-read=${pyodideDirectory()}/`,
    `--allow-fs-read=${script}`,
    `--wasm-max-mem-pages=${Math.floor((options.memoryLimitMb * MiB) / WASM_PAGE_BYTES)}`,
    `--max-old-space-size=${Math.ceil(JS_HEAP_BASE_MB + JS_HEAP_CONTEXT_COPIES * contextMb)}`,
    '--disable-warning=ExperimentalWarning',
    '--disable-warning=SecurityWarning',
    script,
  ];
  // Each wrapper execs the next in the same process, so the pid we watch is the sandbox's.
  const setpriv = parentDeathCommand();
  const command = [
    ...(setpriv === undefined ? [] : [setpriv, '--pdeathsig', 'KILL']),
    process.execPath,
    ...nodeArgs,
  ];
  const unshare = networkNamespaceCommand();
  if (unshare !== undefined) return { command: unshare, args: ['-rn', ...command] };
  const [first = process.execPath, ...rest] = command;
  return { command: first, args: rest };
}

/** About what the context costs in Python (one byte per character for ASCII text). */
export function contextBytes(context: ContextValue): number {
  if (typeof context === 'string') return context.length;
  return JSON.stringify(context).length;
}
