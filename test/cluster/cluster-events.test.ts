/**
 * Progress events in cluster mode: the orchestrator (sessions, turns, steps)
 * and the workers (sub-calls) append a request's events to its Redis stream,
 * and the submitter's onEvent receives them; `rlm run --redis --trace-out`
 * then writes a trajectory that `rlm trace` prints like an embedded one.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RlmEvent } from '@rlm/shared';
import { generateTask, gradeAnswer } from '@rlm/sim';
import { runCli } from '../support/run-cli.ts';
import { startClusterFixture } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

let cluster: ClusterFixture;
// 120k characters in 50k-character chunks: three child RLMs at depth 1, each with llm_query calls.
const task = generateTask('needle', { seed: 5, contextChars: 120_000 });

beforeAll(async () => {
  cluster = await startClusterFixture({ policy: { type: 'solver', strategy: 'rlm' } });
  await Promise.all([cluster.start('worker'), cluster.start('orchestrator')]);
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

async function eventStreams(): Promise<string[]> {
  const redis = new Redis(cluster.redis.url);
  try {
    return await redis.keys(`${cluster.prefix}:root:*:events`);
  } finally {
    redis.disconnect();
  }
}

describe('cluster events', () => {
  it('streams the events of every process to the submitter, ending with the root session-end', async () => {
    const client = cluster.client({ maxDepth: 2 });
    const events: RlmEvent[] = [];
    const result = await client.completion(task.context, task.query, {
      onEvent: (event) => events.push(event),
    });
    expect(result.stopReason).toBe('final');
    expect(gradeAnswer(task, result.answer)).toBe(1);

    const root = events.find((event) => event.type === 'session-start' && event.depth === 0);
    expect(root).toBeDefined();
    // The submitter waits for the root's end event before it returns.
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'session-end',
        sessionId: root?.sessionId,
        answer: result.answer,
      }),
    );
    const children = events.filter((event) => event.type === 'session-start' && event.depth === 1);
    expect(children).toHaveLength(3);
    const rlmCalls = new Set(
      events.flatMap((event) =>
        event.type === 'subcall-start' && event.kind === 'rlm' ? [event.callId] : [],
      ),
    );
    for (const child of children)
      expect(rlmCalls.has(child.type === 'session-start' ? (child.parentCallId ?? '') : '')).toBe(
        true,
      );
    // Sub-call events come from the worker, with their answers; their count matches the ledger's.
    const subcallEnds = events.filter((event) => event.type === 'subcall-end');
    expect(subcallEnds).toHaveLength(result.subcalls);
    expect(
      subcallEnds.every((event) => event.error === undefined && event.answer !== undefined),
    ).toBe(true);
    expect(events.filter((event) => event.type === 'completion-end')).toHaveLength(5);
    expect(events.some((event) => event.type === 'step-end' && event.final !== undefined)).toBe(
      true,
    );
    expect(await eventStreams()).toHaveLength(1);
  });

  it('writes no event stream for a submitter that does not listen', async () => {
    const before = await eventStreams();
    const result = await cluster.client({ maxDepth: 2 }).completion(task.context, task.query);
    expect(result.stopReason).toBe('final');
    expect(await eventStreams()).toEqual(before);
  });

  it('rlm run --redis --trace-out writes a trajectory that rlm trace prints', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rlm-cluster-trace-'));
    const contextFile = path.join(dir, 'context.txt');
    const traceFile = path.join(dir, 'trace.jsonl');
    await writeFile(contextFile, task.context);
    const run = await runCli([
      'run',
      ...['--context', contextFile, '--query', task.query, ...cluster.cliFlags],
      ...[
        '--model',
        'sim-large',
        '--sub-model',
        'sim-small',
        '--max-depth',
        '2',
        '--trace-out',
        traceFile,
        '--quiet',
      ],
    ]);
    expect(run.code).toBe(0);
    expect(gradeAnswer(task, run.stdout)).toBe(1);
    const trace = await runCli(['trace', traceFile, '--no-color']);
    expect(trace.code).toBe(0);
    const lines = trace.stdout.split('\n');
    expect(lines[0]).toMatch(/cluster mode$/);
    expect(
      lines.filter((line) => /^session d0 .*\[final\] +2 it +tree: 4 sessions/.test(line)),
    ).toHaveLength(1);
    expect(
      lines.filter((line) => /[├└]─ session d1 +sim-small +\[final\]/.test(line)),
    ).toHaveLength(3);
    expect(lines.some((line) => /[├└]─ llm_query #\d+ d2 /.test(line))).toBe(true);
  });
});
