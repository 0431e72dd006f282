/**
 * Issue 12, probe 6 (`--timeout`): the request ends within one second of its deadline, whatever
 * it is doing (the original probe: --timeout 60 ended at 75 s). Each case runs through the real
 * CLI against the simulator, which holds every reply far longer than the deadline, and asserts
 * the run's own measured duration and its stop reason, and that the process exits soon after
 * (node's start-up included, so that bound is looser). Limit asserted: 600 MB of growth of this
 * process and the CLI it starts, together.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSimServer } from '@rlm/sim';
import type { ScriptedReplyFunction, SimServer } from '@rlm/sim';
import { isSessionTurn, repl } from '../support/engine-requests.ts';
import { runCli } from '../support/run-cli.ts';
import { measureTreeRssGrowth } from '../support/rss-peak.ts';

const context = path.join(mkdtempSync(path.join(tmpdir(), 'rlm-deadline-')), 'context.txt');
writeFileSync(context, 'a small context');

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const TIMEOUT_SEC = 2;
const cases: Record<string, ScriptedReplyFunction> = {
  'a root model that never answers': () => ({ content: 'FINAL(late)', delayMs: 60_000 }),
  'a step in a synchronous loop': () => repl('while (true) {}'),
  'a step waiting on slow sub-calls': (request) =>
    isSessionTurn(request)
      ? repl('await llm_query_batched(Array.from({ length: 50 }, (_, i) => "p" + i))')
      : { content: 'late', delayMs: 60_000 },
  'child sessions waiting on slow sub-calls': (request) =>
    isSessionTurn(request)
      ? repl('await rlm_query_batched(["one", "two", "three"])')
      : { content: 'late', delayMs: 60_000 },
};

describe('--timeout ends the request within one second of the deadline', () => {
  it.each(Object.entries(cases))('%s', async (_name, replies) => {
    const server = await startSimServer({ policy: { type: 'scripted', replies } });
    sim = server;
    const started = performance.now();
    const { value: result, growthMb } = await measureTreeRssGrowth(() =>
      runCli(
        ['run', '--context', context, '--query', 'q', '--base-url', server.baseUrl, '--model', 'sim-large',
          '--max-depth', '2', '--step-timeout', '300', '--timeout', String(TIMEOUT_SEC), '--json', '--quiet'],
        { RLM_MAX_ITERATIONS: '1000' },
      ),
    );
    const json = JSON.parse(result.stdout) as { stopReason: string; durationMs: number };
    expect(json.stopReason).toBe('timeout');
    expect(json.durationMs).toBeLessThanOrEqual(TIMEOUT_SEC * 1000 + 1000);
    // A run stopped by its timeout (partial answer) exits 3 (README, exit codes).
    expect(result.code).toBe(3);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_SEC * 1000 + 12_000);
    // The CLI process (node, its isolates and the simulator's waiting replies): nothing piles up.
    expect(growthMb).toBeLessThan(600);
  });
});
