/**
 * Redis faults end cleanly, with real processes and a real redis-server:
 * - unreachable Redis: `rlm run` fails in one line within its --timeout, or
 *   within the connect deadline when it has none;
 * - SIGTERM / SIGINT end a client that waits on the cluster at once;
 * - an AOF-backed Redis restarted mid-run loses no request;
 * - a Redis that lost its data fails the in-flight request with a clear error.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { generateTask, gradeAnswer } from '@rlm/sim';
import { freePort } from '../support/free-port.ts';
import { startRedisServer } from '../support/redis-server.ts';
import type { RedisServer } from '../support/redis-server.ts';
import { startClusterFixture, untilSubcalls } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

const MAIN = path.resolve(import.meta.dirname, '../../packages/cli/src/main.ts');

interface CliRun {
  readonly exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  signal(signal: NodeJS.Signals): void;
}

/** `rlm run` as a detached child (its own process group, signalled as a whole). */
function rlmRun(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, ['--no-node-snapshot', MAIN, 'run', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', ...env },
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return {
    exited: new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr }))),
    signal: (signal) => {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    },
  };
}

async function contextFile(text: string): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'rlm-faults-'));
  const file = path.join(directory, 'context.txt');
  await writeFile(file, text);
  return file;
}


describe('unreachable Redis', () => {
  it('rlm run --timeout 2: one line naming Redis, exit 1, within the timeout', async () => {
    const file = await contextFile('hello');
    const deadPort = await freePort();
    const started = Date.now();
    const { code, stdout, stderr } = await rlmRun(['--redis', `redis://127.0.0.1:${deadPort}`, '--timeout', '2', '--context', file, '--query', 'q']).exited;
    const elapsedMs = Date.now() - started;
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([`rlm: cannot reach Redis (redis://127.0.0.1:${deadPort}) within 2 s`]);
    // Node start-up plus the 2 s deadline; a hang would run into the test's own timeout instead.
    expect(elapsedMs).toBeLessThan(15_000);
    await rm(path.dirname(file), { recursive: true });
  }, 30_000);

  it('no --timeout: the connect deadline (RLM_REDIS_CONNECT_TIMEOUT) applies, for a Redis Cluster too', async () => {
    const file = await contextFile('hello');
    const deadPort = await freePort();
    const { code, stderr } = await rlmRun(['--redis-cluster', `127.0.0.1:${deadPort}`, '--context', file, '--query', 'q'], {
      RLM_REDIS_CONNECT_TIMEOUT: '1',
    }).exited;
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`rlm: cannot reach Redis (cluster 127.0.0.1:${deadPort}) within 1 s`);
    await rm(path.dirname(file), { recursive: true });
  }, 30_000);
});

describe('a waiting client', () => {
  let redis: RedisServer | undefined;
  afterEach(async () => {
    await redis?.stop();
    redis = undefined;
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} ends rlm run while it waits on the cluster (no worker is running)`, async () => {
      redis = await startRedisServer();
      const file = await contextFile('a context nobody will read');
      const prefix = `w${signal.toLowerCase()}`;
      const run = rlmRun(['--redis', redis.url, '--prefix', prefix, '--context', file, '--query', 'q', '--json']);
      // Waiting for real: the root session job sits in its queue with nobody to take it.
      const probe = new Redis(redis.url);
      try {
        while ((await probe.llen(`{${prefix}}:session-d0:wait`)) === 0) await delay(50);
      } finally {
        probe.disconnect();
      }
      run.signal(signal);
      const signalled = Date.now();
      const { code, stdout } = await run.exited;
      expect(Date.now() - signalled).toBeLessThan(5_000);
      expect(code).toBe(3); // stopped before a final answer (README, exit codes)
      expect(JSON.parse(stdout)).toMatchObject({ stopReason: 'cancelled', answer: '' });
      await rm(path.dirname(file), { recursive: true });
    }, 60_000);
  }
});

describe('Redis restarts mid-run', () => {
  let cluster: ClusterFixture | undefined;
  let revived: RedisServer | undefined;
  const directories: string[] = [];
  afterEach(async () => {
    await cluster?.stop();
    await revived?.stop();
    cluster = undefined;
    revived = undefined;
    await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  });

  it('with AOF persistence (as the docs recommend): the request completes with the right answer', async () => {
    const aofDir = await mkdtemp(path.join(os.tmpdir(), 'rlm-aof-'));
    directories.push(aofDir);
    cluster = await startClusterFixture(
      { policy: { type: 'solver', chunkChars: 20_000 }, latency: { firstTokenMs: 100, perOutputTokenMs: 0 } },
      { aofDir },
    );
    await Promise.all([cluster.start('worker'), cluster.start('orchestrator')]);
    const task = generateTask('needle', { seed: 43, contextChars: 1_000_000 });
    const pending = cluster.client().completion(task.context, task.query);
    await untilSubcalls(cluster.sim, 5);
    await cluster.redis.stop(); // SIGTERM: Redis writes the AOF out and exits
    revived = await startRedisServer({ port: cluster.redis.port, aofDir });
    const result = await pending;
    expect(result.stopReason).toBe('final');
    expect(gradeAnswer(task, result.answer)).toBe(1);
  }, 180_000);

  it('without persistence (the data is lost): the request fails with a clear error, never an empty answer', async () => {
    cluster = await startClusterFixture({
      policy: { type: 'solver', chunkChars: 20_000 },
      latency: { firstTokenMs: 100, perOutputTokenMs: 0 },
    });
    await Promise.all([cluster.start('worker'), cluster.start('orchestrator')]);
    const task = generateTask('needle', { seed: 44, contextChars: 1_000_000 });
    const pending = cluster.client().completion(task.context, task.query);
    await untilSubcalls(cluster.sim, 5);
    await cluster.redis.stop();
    revived = await startRedisServer({ port: cluster.redis.port });
    const result = await pending;
    expect(result.stopReason).toBe('error');
    expect(result.error?.code).toBe('redis_unavailable');
    expect(result.error?.message).toContain('Redis lost its data');
  }, 180_000);
});
