/**
 * Compaction end to end: a 60-turn session through `rlm run` (a real CLI process, the real openai
 * client) against a simulator whose window is 6,000 tokens. Every turn prints a few hundred
 * tokens, so the conversation outgrows the window several times; the engine compacts, the REPL
 * keeps its variables, the run finishes, and the trajectory records each compaction.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RLM } from '@rlm/sdk';
import type { CompactionEvent, RlmEvent, TrajectoryRecord } from '@rlm/shared';
import { startSimServer } from '@rlm/sim';
import type { SimRequest, SimServer } from '@rlm/sim';
import { isSessionTurn, lastUserMessage, repl } from '../support/engine-requests.ts';
import { createReplayProvider } from '../support/replay-provider.ts';
import { runCli } from '../support/run-cli.ts';

const WINDOW = 6_000;
const TURNS = 60;

let sim: SimServer;
let dir: string;
let contextFile: string;
/** Session turns answered so far (the assistant messages in a request stop counting once compacted). */
let turn = 0;
const compactedTurnsSeen: string[] = [];

function reply(request: SimRequest): string {
  if (request.messages[0]?.content?.startsWith('You are condensing') === true)
    return 'Summary: each turn added its number to the variable `total` and printed a row of multiples.';
  if (!isSessionTurn(request)) return 'sub-call';
  turn += 1;
  if (request.messages.some((message) => message.content?.startsWith('[Earlier turns compacted') === true)) {
    compactedTurnsSeen.push(lastUserMessage(request));
  }
  if (turn === TURNS) return 'FINAL_VAR(total)';
  const rows = `print('turn ${turn}: ' + Array.from({ length: 250 }, (_, k) => k * ${turn}).join(' '))`;
  return repl(turn === 1 ? `var total = 1;\n${rows}` : `total += ${turn};\n${rows}`);
}

beforeAll(async () => {
  sim = await startSimServer({ policy: { type: 'scripted', replies: reply }, contextWindowTokens: WINDOW });
  dir = await mkdtemp(path.join(os.tmpdir(), 'rlm-compaction-'));
  contextFile = path.join(dir, 'context.txt');
  await writeFile(contextFile, 'a small context');
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

function runArgs(traceFile: string, window: number): string[] {
  return [
    'run',
    ...['--context', contextFile, '--query', 'add up the turn numbers', '--base-url', sim.baseUrl],
    ...['--model', 'sim-large', '--max-iterations', String(TURNS + 5), '--context-window', String(window)],
    ...['--trace-out', traceFile, '--quiet'],
  ];
}

describe('compaction', () => {
  it(`completes a ${TURNS}-turn session in a ${WINDOW}-token window and records every compaction`, async () => {
    turn = 0;
    const traceFile = path.join(dir, 'trace.jsonl');
    const run = await runCli(runArgs(traceFile, WINDOW));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // 1 + 2 + ... + 59: every turn's addition survived the compactions (the REPL was not touched).
    expect(run.stdout.trim()).toBe(String(((TURNS - 1) * TURNS) / 2));
    const records = (await readFile(traceFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as TrajectoryRecord);
    const compactions = records.filter((record): record is CompactionEvent & TrajectoryRecord => record.type === 'compaction');
    expect(compactions.length).toBeGreaterThanOrEqual(3);
    for (const compaction of compactions) {
      expect(compaction.tokensBefore).toBeGreaterThan(WINDOW * 0.8);
      // The system prompt, the first message and the last two turns stay: the conversation fits again.
      expect(compaction.tokensAfter).toBeLessThan(WINDOW * 0.8);
      expect(compaction.messagesCompacted).toBeGreaterThanOrEqual(2);
      expect(compaction.summary).toMatch(/^Summary:/);
    }
    const result = records.at(-1);
    expect(result?.type === 'result' && result.result.iterations).toBe(TURNS);
    expect(compactedTurnsSeen.length).toBeGreaterThan(0);

    // The trajectory is complete: a replay asks exactly the recorded requests, summaries included.
    const events = records.filter(
      (record): record is Extract<TrajectoryRecord, RlmEvent> => record.type !== 'metadata' && record.type !== 'result',
    );
    const provider = createReplayProvider(events);
    const replay = new RLM({ provider, model: 'sim-large', maxIterations: TURNS + 5, contextWindow: WINDOW, env: {} });
    const replayed = await replay.completion('a small context', 'add up the turn numbers');
    expect(provider.misses).toEqual([]);
    expect(replayed.answer).toBe(run.stdout.trim());
  }, 120_000);

  it('fails at the window without compaction (the window is real)', async () => {
    turn = 0;
    const run = await runCli(runArgs(path.join(dir, 'uncompacted.jsonl'), 1_000_000));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/maximum context length is 6000 tokens/);
  }, 120_000);
});
