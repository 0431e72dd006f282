/**
 * Issue 12, probe 2: one step queues far more sub-calls than the host should hold (the original
 * probe: 500,000 prompts in one llm_query_batched took the host to 4 GB). The request's cap on
 * pending sub-calls refuses the excess at once with an error string per call; the model reads
 * why. Limit asserted: 250 MB of growth of this process for 100,000 queued prompts (a regression
 * to ~8 KB per queued call would need some 800 MB).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeScriptedEngines, scriptedEngine } from '../support/scripted-engine.ts';
import { isSessionTurn, lastUserMessage, repl, turnIndex } from '../support/engine-requests.ts';
import { measureRssGrowth } from '../support/rss-peak.ts';

afterEach(closeScriptedEngines);

const PROMPTS = 100_000;
const CAP = 500;

describe('bounded sub-call queues', () => {
  it('refuses llm_query_batched prompts past the pending cap, each with an error string the model reads', async () => {
    let feedback = '';
    const { rlm, sim } = await scriptedEngine(
      (request) => {
        if (!isSessionTurn(request)) return 'ok';
        if (turnIndex(request) === 0)
          return repl(
            `const answers = await llm_query_batched(Array.from({ length: ${PROMPTS} }, (_, i) => 'item ' + i));\n` +
              `const refused = answers.filter((a) => a.startsWith('Error: sub-call refused'));\n` +
              `print(refused.length, answers.filter((a) => a === 'ok').length);\nprint(refused[0]);`,
          );
        feedback = lastUserMessage(request);
        return 'FINAL(done)';
      },
      { maxPendingSubcalls: CAP },
    );
    const { value: result, growthMb } = await measureRssGrowth(() => rlm.completion('ctx', 'q'));
    expect(result.stopReason).toBe('final');
    expect(feedback).toContain(`${PROMPTS - CAP} ${CAP}\n`);
    expect(feedback).toContain(`this request already has ${CAP} sub-calls pending, its cap (maxPendingSubcalls)`);
    // Only the admitted calls reached the provider (plus the two root turns).
    expect(sim.stats().totalRequests).toBe(CAP + 2);
    expect(result.subcalls).toBe(CAP);
    expect(growthMb).toBeLessThan(250);
  });

  it('refuses the same flood from the Python REPL (the host side is shared)', async () => {
    let feedback = '';
    const { rlm, sim } = await scriptedEngine(
      (request) => {
        if (!isSessionTurn(request)) return 'ok';
        if (turnIndex(request) === 0)
          return repl(
            `answers = llm_query_batched([f'item {i}' for i in range(${PROMPTS})])\n` +
              `refused = [a for a in answers if a.startswith('Error: sub-call refused')]\n` +
              `print(len(refused), sum(a == 'ok' for a in answers))\nprint(refused[0])`,
          );
        feedback = lastUserMessage(request);
        return 'FINAL(done)';
      },
      { maxPendingSubcalls: CAP, repl: 'python', pythonSpares: 0 },
    );
    const { value: result, growthMb } = await measureRssGrowth(() => rlm.completion('ctx', 'q'));
    expect(result.stopReason).toBe('final');
    expect(feedback).toContain(`${PROMPTS - CAP} ${CAP}\n`);
    expect(feedback).toContain(`this request already has ${CAP} sub-calls pending, its cap (maxPendingSubcalls)`);
    expect(sim.stats().totalRequests).toBe(CAP + 2);
    // This process only: the prompts live in the sandbox process until they are sent.
    expect(growthMb).toBeLessThan(250);
  }, 120_000);

  it('refuses single llm_query calls past the cap too (Promise.all over a map), and admits again once they settle', async () => {
    let feedback = '';
    const { rlm } = await scriptedEngine(
      (request) => {
        if (!isSessionTurn(request)) return { content: 'ok', delayMs: 5 };
        if (turnIndex(request) === 0)
          return repl(
            `const first = await Promise.all(Array.from({ length: 300 }, (_, i) => llm_query('a' + i)));\n` +
              `const second = await Promise.all(Array.from({ length: 50 }, (_, i) => llm_query('b' + i)));\n` +
              `print(first.filter((a) => a.startsWith('Error: sub-call refused')).length, second.filter((a) => a === 'ok').length);`,
          );
        feedback = lastUserMessage(request);
        return 'FINAL(done)';
      },
      { maxPendingSubcalls: 100 },
    );
    const result = await rlm.completion('ctx', 'q');
    expect(result.stopReason).toBe('final');
    expect(feedback).toContain('200 50\n');
  });
});

describe('bounded prompt characters', () => {
  it('refuses a batch that repeats one large string past the prompt-character cap before copying it out', async () => {
    // The probe: a 20 MB string as 100 prompts of one batch was copied out of the sandbox 100
    // times (2.5 GB of host RSS). 20 x 20 million characters passes the 256 Mi cap.
    let feedback = '';
    const { rlm, sim } = await scriptedEngine((request) => {
      if (!isSessionTurn(request)) return 'ok';
      if (turnIndex(request) === 0)
        return repl(
          `const big = 'x'.repeat(20_000_000);\n` +
            `const answers = await llm_query_batched(Array.from({ length: 20 }, () => big));\n` +
            `print(answers.length, answers.filter((a) => a.startsWith('Error: llm_query_batched: its prompts hold 400000000 characters')).length);`,
        );
      feedback = lastUserMessage(request);
      return 'FINAL(done)';
    });
    const { value: result, growthMb } = await measureRssGrowth(() => rlm.completion('ctx', 'q'));
    expect(result.stopReason).toBe('final');
    expect(feedback).toContain('20 20\n');
    expect(sim.stats().requestsByKind.subcall ?? 0).toBe(0);
    // One 20 MB string lives in the sandbox; no copy of the batch reached this process.
    expect(growthMb).toBeLessThan(400);
  });
});
