import { readFileSync } from 'node:fs';

const PAGE_BYTES = 4096;

/**
 * The resident set of a process in bytes, from /proc (Linux); undefined where there is no /proc or
 * the process is gone. Resident memory is what the sandbox costs the machine: V8's heap, Pyodide's
 * WebAssembly memory and the code, all together.
 */
export function readResidentBytes(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    const pages = Number(fields[1]);
    return Number.isFinite(pages) ? pages * PAGE_BYTES : undefined;
  } catch {
    return undefined;
  }
}
