#!/usr/bin/env node
/**
 * The `rlm` executable of the installed @rlm/cli (`npx rlm`, a global install,
 * a package script). However Node was started, the CLI must run with
 * --no-node-snapshot (isolated-vm), so this launcher checks the Node version
 * and then replaces itself with `node --no-node-snapshot main.js <args>`:
 * `process.execve` keeps the process id, so signals and exit codes need no
 * relaying. Where execve is missing (Windows) a child process stands in and
 * its exit is mirrored. Deployments that start Node themselves (the image)
 * run main.js with the flag directly.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NO_SNAPSHOT_FLAG, unsupportedNodeMessage } from '@rlm/shared';

const problem = unsupportedNodeMessage(process.versions.node, 'rlm');
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

// main.ts next to this file in the repository, main.js once built.
const main = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './main.ts' : './main.js', import.meta.url),
);
const args = [...process.execArgv, NO_SNAPSHOT_FLAG, main, ...process.argv.slice(2)];

if (typeof process.execve === 'function' && process.platform !== 'win32') {
  process.execve(process.execPath, [process.execPath, ...args], process.env);
} else {
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  // SIGINT from a terminal reaches the child directly (same process group):
  // relaying it too would count as a second Ctrl-C. Signals sent to this
  // process alone are relayed.
  const ignore = (): void => {};
  process.on('SIGINT', ignore);
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    process.off('SIGINT', ignore);
    process.kill(process.pid, signal);
  });
}
