/**
 * Real cluster processes for integration tests: `rlm worker` and
 * `rlm orchestrator` as child processes against a test Redis, each with its
 * own ops port. Readiness is awaited through /readyz, never a fixed sleep.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './free-port.ts';

const MAIN = path.resolve(import.meta.dirname, '../../packages/cli/src/main.ts');

export interface ClusterProcess {
  readonly role: 'worker' | 'orchestrator';
  readonly child: ChildProcess;
  readonly opsPort: number;
  /** Everything the process wrote to stderr so far (for failure messages). */
  stderr(): string;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export interface ClusterProcessOptions {
  readonly redisUrl: string;
  /** Replaces `--redis URL` (e.g. `--redis-cluster host:port,...`). */
  readonly redisArgs?: readonly string[];
  /** `printed`: no --port flag (the README's command); the port is read from the start-up line. */
  readonly opsPort?: 'printed';
  readonly prefix: string;
  readonly baseUrl: string;
  readonly extraArgs?: readonly string[];
  readonly env?: Record<string, string>;
}

export async function startClusterProcess(role: 'worker' | 'orchestrator', options: ClusterProcessOptions): Promise<ClusterProcess> {
  const pinned = options.opsPort === 'printed' ? undefined : await freePort();
  const child = spawn(
    process.execPath,
    [
      '--no-node-snapshot',
      MAIN,
      role,
      ...(options.redisArgs ?? ['--redis', options.redisUrl]),
      '--prefix',
      options.prefix,
      '--base-url',
      options.baseUrl,
      ...(pinned === undefined ? [] : ['--port', String(pinned)]),
      // A short lock so tests see a killed worker's job re-delivered quickly, unless the caller sets its own
      // (flags may be given once: the CLI refuses repeats).
      ...(options.extraArgs?.includes('--lock-ms') === true ? [] : ['--lock-ms', '2000']),
      ...(options.extraArgs ?? []),
    ],
    // Detached: its own process group, signalled as a whole (as a terminal or an init system does).
    { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env['PATH'] ?? '', ...options.env }, detached: true },
  );
  let stderr = '';
  const printed = new Promise<number>((resolve) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const port = /ops on [^\s:]+:(\d+)/.exec(stderr)?.[1];
      if (port !== undefined) resolve(Number(port));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
  });
  const opsPort =
    pinned ??
    (await Promise.race([printed, exited.then(() => undefined)])) ??
    failStart(role, () => stderr);
  const process_: ClusterProcess = {
    role,
    child,
    opsPort,
    stderr: () => stderr,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      }
      return exited;
    },
  };
  if (exitedEarly) failStart(role, () => stderr);
  await waitUntilReady(process_, exited);
  return process_;
}

function failStart(role: string, stderr: () => string): never {
  throw new Error(`rlm ${role} exited during start-up:\n${stderr()}`);
}

export async function opsGet(port: number, path_: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path_}`);
  return { status: response.status, body: await response.text() };
}

async function waitUntilReady(cluster: ClusterProcess, exited: Promise<number | null>): Promise<void> {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (done) throw new Error(`rlm ${cluster.role} exited during start-up:\n${cluster.stderr()}`);
    try {
      if ((await opsGet(cluster.opsPort, '/readyz')).status === 200) return;
    } catch {
      // not listening yet
    }
    await delay(50);
  }
  throw new Error(`rlm ${cluster.role} not ready after 30 s:\n${cluster.stderr()}`);
}

