/**
 * Issue 12, probe 4: a step the watchdog kills while its sub-calls are queued and in flight (the
 * original probe: a sync loop after starting 2,000 calls still sent all 2,000, and with
 * --concurrency 1 the next turn never started). A killed step is over: queued calls are never
 * sent, in-flight ones are aborted, what it printed is kept, and the next turn starts at once.
 * Limit asserted: 150 MB of growth of this process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeScriptedEngines, scriptedEngine } from '../support/scripted-engine.ts';
import { isSessionTurn, lastUserMessage, repl, turnIndex } from '../support/engine-requests.ts';
import { measureRssGrowth } from '../support/rss-peak.ts';

afterEach(closeScriptedEngines);

describe('a killed step is over', () => {
  it('abandons queued and in-flight sub-calls, keeps the output, and the next turn starts at once (concurrency 1)', async () => {
    let feedback = '';
    let subcallsReceived = 0;
    const { rlm, sim } = await scriptedEngine(
      (request) => {
        if (!isSessionTurn(request)) {
          subcallsReceived += 1;
          // Longer than the whole test may take: only an abort ends it.
          return { content: 'late', delayMs: 120_000 };
        }
        if (turnIndex(request) === 0)
          return repl(
            `const pending = Array.from({ length: 2000 }, (_, i) => llm_query('slow ' + i));\n` +
              `print('started 2000 calls');\nawait pending[0];`,
          );
        feedback = lastUserMessage(request);
        return 'FINAL(recovered)';
      },
      { concurrency: 1, stepTimeoutSec: 1 },
    );
    const { value: result, growthMb } = await measureRssGrowth(() => rlm.completion('ctx', 'q'));
    expect(result).toMatchObject({ answer: 'recovered', stopReason: 'final', iterations: 2 });
    expect(feedback).toContain('started 2000 calls');
    expect(feedback).toContain('TimeoutError: step timed out after 1.0 s');
    // One call held the only slot and was aborted; the 1,999 queued behind it were never sent.
    expect(subcallsReceived).toBe(1);
    await expect.poll(() => sim.stats().clientsGone).toBe(1);
    expect(sim.stats().totalRequests).toBe(3);
    expect(growthMb).toBeLessThan(150);
  });

  it('a synchronous loop after starting 2,000 calls: none of them is sent after the kill', async () => {
    let feedback = '';
    let subcallsReceived = 0;
    const { rlm } = await scriptedEngine(
      (request) => {
        if (!isSessionTurn(request)) {
          subcallsReceived += 1;
          return { content: 'late', delayMs: 120_000 };
        }
        if (turnIndex(request) === 0)
          return repl(`const pending = Array.from({ length: 2000 }, (_, i) => llm_query('slow ' + i));\nprint('looping');\nwhile (true) {}`);
        feedback = lastUserMessage(request);
        return 'FINAL(recovered)';
      },
      { concurrency: 1, stepTimeoutSec: 1 },
    );
    const { value: result, growthMb } = await measureRssGrowth(() => rlm.completion('ctx', 'q'));
    expect(result).toMatchObject({ answer: 'recovered', stopReason: 'final', iterations: 2 });
    expect(feedback).toContain('looping');
    // The isolate's calls reach the host only as its loop is killed; the host answers them with an error, unsent.
    expect(subcallsReceived).toBeLessThanOrEqual(1);
    expect(growthMb).toBeLessThan(150);
  });

  it('keeps what a step printed before a synchronous loop with no sub-call at all', async () => {
    let feedback = '';
    const { rlm } = await scriptedEngine(
      (request) => {
        if (turnIndex(request) === 0) return repl(`print('step one'); print('step two'); for (;;) {}`);
        feedback = lastUserMessage(request);
        return 'FINAL(ok)';
      },
      { stepTimeoutSec: 0.5 },
    );
    const result = await rlm.completion('ctx', 'q');
    expect(result.stopReason).toBe('final');
    expect(feedback).toContain('step one\nstep two\n');
    expect(feedback).toContain('TimeoutError');
  });

  it('keeps what a Python step printed before a loop with no sub-call at all', async () => {
    // The probe: Python flushed printed text only at a later print or sub-call, so a step that
    // printed and then looped came back with "(nothing printed)".
    let feedback = '';
    const { rlm } = await scriptedEngine(
      (request) => {
        if (turnIndex(request) === 0) return repl(`print('step one')\nprint('step two')\nwhile True: pass`);
        feedback = lastUserMessage(request);
        return 'FINAL(ok)';
      },
      { stepTimeoutSec: 2, repl: 'python', pythonSpares: 0 },
    );
    const { value: result, growthMb } = await measureRssGrowth(() => rlm.completion('ctx', 'q'));
    expect(result.stopReason).toBe('final');
    expect(feedback).toContain('step one\nstep two\n');
    expect(feedback).toContain('TimeoutError');
    expect(growthMb).toBeLessThan(150);
  }, 60_000);

  it('a cancelled request aborts the sub-calls of its running step', async () => {
    let received = 0;
    const controller = new AbortController();
    const { rlm, sim } = await scriptedEngine((request) => {
      if (isSessionTurn(request)) return repl(`await llm_query_batched(Array.from({ length: 100 }, (_, i) => 'x' + i))`);
      received += 1;
      if (received === 2) controller.abort();
      return { content: 'late', delayMs: 120_000 };
    }, { concurrency: 2 });
    const result = await rlm.completion('ctx', 'q', { signal: controller.signal });
    expect(result.stopReason).toBe('cancelled');
    expect(received).toBe(2);
    // Both in-flight calls were aborted by the client (the simulator saw their callers leave).
    await expect.poll(() => sim.stats().clientsGone).toBe(2);
  });
});
