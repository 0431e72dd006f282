/**
 * Trajectories end to end: a real depth-2 run of the `rlm` CLI against the
 * simulator with --trace-out, `rlm trace` on the file, and a replay of the
 * recorded model replies through a scripted provider that must reproduce the
 * run's decisions (same code, same sub-call tree, same answer).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RLM } from '@rlm/sdk';
import type {
  RlmEvent,
  TrajectoryMetadata,
  TrajectoryRecord,
  TrajectoryResultRecord,
} from '@rlm/shared';
import { generateTask, gradeAnswer, startSimServer } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';
import { createReplayProvider } from '../support/replay-provider.ts';
import type { ReplayProvider } from '../support/replay-provider.ts';
import { runCli } from '../support/run-cli.ts';

let sim: SimServer;
let dir: string;
let contextFile: string;
let traceFile: string;
let records: TrajectoryRecord[];
// 120k characters in 50k-character chunks: the root starts three child RLMs, each fans out llm_query calls.
const task = generateTask('needle', { seed: 5, contextChars: 120_000 });

beforeAll(async () => {
  sim = await startSimServer({ policy: { type: 'solver', strategy: 'rlm' } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'rlm-trace-'));
  contextFile = path.join(dir, 'context.txt');
  traceFile = path.join(dir, 'trace.jsonl');
  await writeFile(contextFile, task.context);
  const run = await runCli([
    'run',
    ...['--context', contextFile, '--query', task.query, '--base-url', sim.baseUrl],
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
  expect(run.stderr).toBe('');
  expect(gradeAnswer(task, run.stdout)).toBe(1);
  records = (await readFile(traceFile, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TrajectoryRecord);
});
afterAll(async () => {
  await sim.close();
});

const eventsOf = (all: readonly TrajectoryRecord[]): RlmEvent[] =>
  all.filter(
    (record): record is Extract<TrajectoryRecord, RlmEvent> =>
      record.type !== 'metadata' && record.type !== 'result',
  );

describe('rlm run --trace-out', () => {
  it('writes metadata without secrets, content-carrying events and the result', () => {
    const metadata = records[0] as TrajectoryMetadata;
    expect(metadata).toMatchObject({
      type: 'metadata',
      version: 2,
      mode: 'embedded',
      settings: { model: 'sim-large', subModel: 'sim-small', maxDepth: 2 },
      context: {
        type: 'string',
        totalChars: task.context.length,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    expect(JSON.stringify(metadata)).not.toContain(sim.baseUrl);
    const events = eventsOf(records);
    const children = events.filter((event) => event.type === 'session-start' && event.depth === 1);
    expect(children).toHaveLength(3);
    for (const child of children)
      expect(child).toMatchObject({
        parentSessionId: expect.any(String),
        parentCallId: child.sessionId,
      });
    expect(
      events
        .filter((event) => event.type === 'completion-end')
        .every((event) => event.reply.length > 0),
    ).toBe(true);
    expect(
      events.some(
        (event) => event.type === 'step-start' && event.code.includes('rlm_query_batched'),
      ),
    ).toBe(true);
    expect(records.at(-1)).toMatchObject({ type: 'result', result: { stopReason: 'final' } });
  });
});

describe('rlm trace', () => {
  it('prints the call tree: root session, turns, steps, child sessions and their llm_query calls', async () => {
    const result = await runCli(['trace', traceFile, '--no-color']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const events = eventsOf(records);
    const llmCalls = events.filter(
      (event) => event.type === 'subcall-end' && event.kind === 'llm',
    ).length;
    expect(lines[0]).toMatch(/^trajectory v2, started .*, embedded mode$/);
    expect(
      lines.filter((line) =>
        /^session d0 .* sim-large +\[final\] +2 it +tree: 4 sessions/.test(line),
      ),
    ).toHaveLength(1);
    expect(
      lines.filter((line) =>
        /[├└]─ iteration \d+ +sim-(large|small) +in [\d,]+ \/ out [\d,]+ \/ cached [\d,]+ tok, \$\d+\.\d{4}, \d+ ms/.test(
          line,
        ),
      ),
    ).toHaveLength(5);
    expect(
      lines.filter((line) => /[├└]─ rlm_query #\d d1 +sim-small +prompt [\d,]+ chars/.test(line)),
    ).toHaveLength(3);
    expect(
      lines.filter((line) => /[├└]─ session d1 +sim-small +\[final\] +1 it/.test(line)),
    ).toHaveLength(3);
    expect(
      lines.filter((line) => /[├└]─ llm_query #\d+ d2 +sim-small .* in [\d,]+ \/ out/.test(line)),
    ).toHaveLength(llmCalls);
    // The tree's token totals agree with the run's result.
    const final = records.at(-1) as TrajectoryResultRecord;
    const rootTokens = /in ([\d,]+) \/ out ([\d,]+)/.exec(
      lines.find((line) => line.startsWith('session d0')) ?? '',
    );
    expect(rootTokens?.slice(1).map((value) => Number(value.replaceAll(',', '')))).toEqual([
      final.result.usage.inputTokens,
      final.result.usage.outputTokens,
    ]);
    expect(lines).toContain(`  answer: ${final.result.answer}`);
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('collapses sessions deeper than --depth into one summary line each', async () => {
    const result = await runCli(['trace', traceFile, '--depth', '0', '--no-color']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/session d1|llm_query/);
    const collapsed = result.stdout
      .split('\n')
      .filter((line) =>
        /\[collapsed\] 1 session to depth 1, 1 it, 1 steps, \d+ sub-calls .* in [\d,]+ \/ out/.test(
          line,
        ),
      );
    expect(collapsed).toHaveLength(3);
  });

  it('rejects a file that is not a trajectory with one line and exit code 2', async () => {
    for (const file of [contextFile, path.join(dir, 'missing.jsonl')]) {
      const result = await runCli(['trace', file]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^rlm: trace: (.* is not a trajectory|cannot read)/);
    }
  });
});

/** An embedded engine configured like the recorded run, answering from `provider` instead of the simulator. */
function replayClient(provider: ReplayProvider): RLM {
  return new RLM({ provider, model: 'sim-large', subModel: 'sim-small', maxDepth: 2, env: {} });
}

describe('replaying a trajectory', () => {
  it('makes the same decisions when the recorded replies are played back', async () => {
    const recorded = eventsOf(records);
    const provider = createReplayProvider(recorded);
    const replayed: RlmEvent[] = [];
    const rlm = replayClient(provider);
    const result = await rlm.completion(task.context, task.query, {
      onEvent: (event) => replayed.push(JSON.parse(JSON.stringify(event)) as RlmEvent),
    });
    expect(provider.misses).toEqual([]);
    expect(result.answer).toBe((records.at(-1) as TrajectoryResultRecord).result.answer);
    expect(result.stopReason).toBe('final');
    expect(decisions(replayed)).toEqual(decisions(recorded));
  });

  it('notices when a replayed decision differs from the recording', async () => {
    // Change the root's first reply: every later request of the root then differs from the recorded ones.
    const recorded = eventsOf(records).map((event) =>
      event.type === 'completion-end' && event.depth === 0 && event.iteration === 1
        ? { ...event, reply: `${event.reply}\n` + '```repl\nprint(1)\n```' }
        : event,
    );
    const provider = createReplayProvider(recorded);
    const rlm = replayClient(provider);
    const result = await rlm.completion(task.context, task.query);
    expect(provider.misses.length).toBeGreaterThan(0);
    expect(result.stopReason).toBe('error');
  });
});

/** What a run decided, independent of ids, timing and the order parallel work finished in. */
function decisions(events: readonly RlmEvent[]): {
  code: string[];
  subcalls: string[];
  sessions: string[];
} {
  const root =
    events.find((event) => event.type === 'session-start' && event.depth === 0)?.sessionId ?? '';
  const local = (id: string): string => id.replace(root, 'root');
  const code: string[] = [];
  const subcalls: string[] = [];
  const sessions: string[] = [];
  for (const event of events) {
    if (event.type === 'step-start')
      code.push(`${local(event.sessionId)}#${event.step}: ${event.code}`);
    if (event.type === 'subcall-start')
      subcalls.push(
        `${local(event.callId)} ${event.kind} ${event.model} ${event.promptHash ?? ''}`,
      );
    if (event.type === 'session-end')
      sessions.push(
        `${local(event.sessionId)} d${event.depth} ${event.stopReason} ${event.iterations} ${event.answer}`,
      );
  }
  return { code: code.sort(), subcalls: subcalls.sort(), sessions: sessions.sort() };
}
