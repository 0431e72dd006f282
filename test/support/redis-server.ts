/**
 * Starts a throwaway `redis-server` for one test file: a free port, no
 * persistence unless asked for (AOF), `noeviction` (as production requires), killed on `stop`.
 * Tests always start their own server rather than reuse one from the
 * environment, so they never see or clobber anyone else's keys.
 *
 * Readiness is a raw RESP PING over node:net (not ioredis) so this helper has
 * no dependency beyond Node: any package's tests can import it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import net from 'node:net';
import { freePort } from './free-port.ts';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** How long a fresh server may take to answer PING before we give up. */
const STARTUP_TIMEOUT_MS = 10_000;

export interface RedisServerOptions {
  /** Restarts a server where an earlier one ran (outage tests); by default a free port is used. */
  readonly port?: number;
  /** AOF persistence in this directory (as the docs recommend); a restart with the same directory keeps the data. */
  readonly aofDir?: string;
  /** More `redis-server` arguments (e.g. `--cluster-enabled yes`). */
  readonly extraArgs?: readonly string[];
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const persistence =
    options.aofDir === undefined
      ? ['--appendonly', 'no']
      : ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', options.aofDir];
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      ...persistence,
      '--maxmemory-policy',
      'noeviction',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], ...(options.aofDir === undefined ? {} : { cwd: options.aofDir }) },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPing(port, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}


/** Polls PING with a short growing interval until the server answers PONG. */
async function waitForPing(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let interval = 5;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited before answering PING: ${stderr()}`);
    }
    if (await ping(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING`);
    await delay(interval);
    interval = Math.min(interval * 2, 100);
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}
