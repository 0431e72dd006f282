/**
 * Every stopReason, end to end through the real openai client against the
 * simulator with scripted replies; runaway models stopped by each budget.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RLM } from '@rlm/sdk';
import type { RLMOptions } from '@rlm/sdk';
import { startSimServer } from '@rlm/sim';
import type { ScriptedReplyFunction, SimServer } from '@rlm/sim';
import { isSessionTurn, lastUserMessage, repl, turnIndex } from '../support/engine-requests.ts';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function engineWith(replies: ScriptedReplyFunction, options: Partial<RLMOptions> = {}): Promise<RLM> {
  sim = await startSimServer({ policy: { type: 'scripted', replies } });
  return new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', subModel: 'sim-small', env: {}, ...options });
}

/** A model that never stops: every turn fans out many sub-calls and stores a partial answer. */
const runaway: ScriptedReplyFunction = (request) =>
  isSessionTurn(request)
    ? repl(
        `answer.content = 'partial after turn ${turnIndex(request)}';\n` +
          `await llm_query_batched(Array.from({ length: 50 }, (_, i) => 'turn ${turnIndex(request)} item ' + i));\n` +
          `while (true) { await llm_query('one more ' + Math.random()); }`,
      )
    : 'ok';

describe('stop reasons', () => {
  it('max_iterations: asks once more and returns that answer', async () => {
    const rlm = await engineWith((request) =>
      lastUserMessage(request).includes('You have used all of your turns') ? 'FINAL(best guess)' : repl('print(1)'),
      { maxIterations: 3 },
    );
    const result = await rlm.completion('ctx', 'q', {});
    expect(result).toMatchObject({ answer: 'best guess', stopReason: 'max_iterations', iterations: 3 });
  }, 30_000);

  it('max_tokens: a runaway model is stopped within one reservation of the cap', async () => {
    const maxTokens = 30_000;
    const maxOutputTokens = 256;
    const rlm = await engineWith(runaway, { maxTokens, maxOutputTokens, maxIterations: 50 });
    const result = await rlm.completion('ctx', 'q');
    expect(result.stopReason).toBe('max_tokens');
    const used = result.usage.inputTokens + result.usage.outputTokens;
    // A reservation is a call's prompt tokens plus its output cap; here prompts are a few thousand tokens at most.
    expect(used).toBeLessThanOrEqual(maxTokens + maxOutputTokens + 5_000);
    expect(used).toBeGreaterThan(maxTokens / 2);
    expect(result.answer).toMatch(/^partial after turn/);
  }, 60_000);

  it('max_cost: a runaway model is stopped by the cost cap', async () => {
    const maxCostUsd = 0.05;
    // Each call reserves its output cap at the model's output price, so keep the cap modest.
    const rlm = await engineWith(runaway, { maxCostUsd, maxOutputTokens: 256, maxIterations: 50 });
    const result = await rlm.completion('ctx', 'q');
    expect(result.stopReason).toBe('max_cost');
    expect(result.costUsd).toBeLessThanOrEqual(maxCostUsd + 0.01);
    expect(result.costUsd).toBeGreaterThan(0);
  }, 60_000);

  it('timeout: the deadline stops slow sub-calls', async () => {
    const rlm = await engineWith(
      (request) => (isSessionTurn(request) ? repl('await llm_query("slow")') : { content: 'late', delayMs: 20_000 }),
      { timeoutSec: 1 },
    );
    const result = await rlm.completion('ctx', 'q');
    expect(result.stopReason).toBe('timeout');
    expect(result.durationMs).toBeLessThan(10_000);
  }, 30_000);

  it('cancelled: aborting the signal cancels the whole tree', async () => {
    const rlm = await engineWith((request) =>
      isSessionTurn(request) ? repl('await llm_query_batched(["a", "b", "c"])') : { content: 'late', delayMs: 20_000 },
    );
    const controller = new AbortController();
    const result = await rlm.completion('ctx', 'q', {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'subcall-start') controller.abort();
      },
    });
    expect(result.stopReason).toBe('cancelled');
    expect(result.durationMs).toBeLessThan(10_000);
  }, 30_000);

  it('error: a provider failure that retries cannot fix', async () => {
    const rlm = await engineWith(() => ({ status: 400, content: 'malformed request' }));
    const result = await rlm.completion('ctx', 'q');
    expect(result.stopReason).toBe('error');
    expect(result.error?.message).toContain('400');
  });

  it('a null reply from the provider is a nudge, not a crash', async () => {
    const rlm = await engineWith((request) => (turnIndex(request) === 0 ? { content: null } : 'FINAL(after null)'));
    const result = await rlm.completion('ctx', 'q');
    expect(result).toMatchObject({ answer: 'after null', stopReason: 'final', iterations: 2 });
  });

  it('a step that loops forever is stopped and the session goes on', async () => {
    const rlm = await engineWith(
      (request) =>
        turnIndex(request) === 0
          ? repl('await llm_query("first"); while (true) {}')
          : lastUserMessage(request).includes('timed out')
            ? repl('FINAL(typeof context + " survived")')
            : 'FINAL(no timeout reported)',
      { stepTimeoutSec: 1 },
    );
    const result = await rlm.completion('still here', 'q');
    expect(result).toMatchObject({ answer: 'string survived', stopReason: 'final', iterations: 2 });
  }, 30_000);
});
