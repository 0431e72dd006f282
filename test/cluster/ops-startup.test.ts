/**
 * Processes start whole or not at all. Three workers and an orchestrator
 * started on one host with the README's commands (no --port) each pick a
 * free ops port, print it, serve /readyz on 127.0.0.1, answer a request
 * together and drain on SIGTERM. A process whose ops port is taken exits
 * with a clear message before it touches Redis or takes a job.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateTask, gradeAnswer } from '@rlm/sim';
import { opsGet } from '../support/cluster-processes.ts';
import { startClusterFixture } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

const MAIN = path.resolve(import.meta.dirname, '../../packages/cli/src/main.ts');

let cluster: ClusterFixture;
beforeAll(async () => {
  cluster = await startClusterFixture({ policy: { type: 'solver' } });
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

it('three workers and an orchestrator on one host: each prints its own ops port, all serve, all drain', async () => {
  const started = await Promise.all([
    cluster.start('worker', [], {}, { opsPort: 'printed' }),
    cluster.start('worker', [], {}, { opsPort: 'printed' }),
    cluster.start('worker', [], {}, { opsPort: 'printed' }),
    cluster.start('orchestrator', [], {}, { opsPort: 'printed' }),
  ]);
  const ports = started.map((process_) => process_.opsPort);
  expect(new Set(ports).size).toBe(4);
  for (const process_ of started) {
    expect(process_.stderr()).toMatch(new RegExp(`ops on 127\\.0\\.0\\.1:${process_.opsPort}`));
    expect((await opsGet(process_.opsPort, '/livez')).status).toBe(200);
    expect((await opsGet(process_.opsPort, '/metrics')).body).toContain('rlm_queue_jobs');
  }

  const task = generateTask('needle', { seed: 5, contextChars: 300_000 });
  const result = await cluster.client().completion(task.context, task.query);
  expect(result.stopReason).toBe('final');
  expect(gradeAnswer(task, result.answer)).toBe(1);

  const codes = await Promise.all(started.map((process_) => process_.kill('SIGTERM')));
  expect(codes).toEqual([0, 0, 0, 0]);
  for (const process_ of started) expect(process_.stderr()).toContain('stopped');
}, 120_000);

it('an ops port that is taken: exit 1 with one clear line, before Redis is even contacted', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  try {
    // An unreachable Redis would hang a process that connected first: the bind must fail first.
    const child = spawn(
      process.execPath,
      ['--no-node-snapshot', MAIN, 'worker', '--redis', 'redis://127.0.0.1:1', '--port', String(port)],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env['PATH'] ?? '' }, detached: true },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`cannot serve /livez /readyz /metrics on 127.0.0.1:${port} (EADDRINUSE)`);
  } finally {
    blocker.close();
  }
}, 60_000);
