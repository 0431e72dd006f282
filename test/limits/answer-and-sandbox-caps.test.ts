/**
 * Issue 12, probe 3: giant final answers (the original probe: FINAL of a 400 MB string reached
 * stdout whole, 2.1 GB RSS) and many child sessions each holding tens of MB (6.5 GB, no total cap
 * across the request's sessions). An oversized answer is refused with an error the model reads
 * (it never leaves the isolate); the request's live REPLs share one memory budget and a child
 * that does not fit gets an error string instead of an isolate. Limits are stated per test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CHILD_QUERY } from '@rlm/shared';
import { closeScriptedEngines, scriptedEngine } from '../support/scripted-engine.ts';
import { isSessionTurn, lastUserMessage, repl, turnIndex } from '../support/engine-requests.ts';
import { measureRssGrowth, measureTreeRssGrowth } from '../support/rss-peak.ts';

afterEach(closeScriptedEngines);

const MiB = 1024 * 1024;

describe('bounded answers', () => {
  it('refuses a final answer over maxAnswerChars; the model is told and answers again', async () => {
    let feedback = '';
    const { rlm } = await scriptedEngine(
      (request) => {
        if (turnIndex(request) === 0) return repl(`FINAL('x'.repeat(${60 * MiB}).toUpperCase())`);
        feedback = lastUserMessage(request);
        return 'FINAL(a short answer)';
      },
      { maxAnswerChars: MiB },
    );
    const { value: result, growthMb, hostHeapGrowthMb } = await measureRssGrowth(() => rlm.completion('ctx', 'q'));
    expect(result).toMatchObject({ answer: 'a short answer', stopReason: 'final', iterations: 2 });
    expect(feedback).toContain(
      `AnswerTooLargeError: the final answer has ${60 * MiB} characters, more than the limit of ${MiB} (maxAnswerChars)`,
    );
    // Refused inside the isolate: the host's own check (which formats numbers with commas) never ran.
    expect(feedback).not.toContain('62,914,560');
    // The 60 MiB string (flat: toUpperCase copies the rope 'repeat' builds) lives and dies in the
    // isolate, under its own limit (that is most of the resident growth); the host never copies it.
    expect(growthMb).toBeLessThan(250);
    expect(hostHeapGrowthMb).toBeLessThan(30);
  });

  it('applies the same cap to answer.ready and to a FINAL(...) line in the reply', async () => {
    const feedbacks: string[] = [];
    const { rlm } = await scriptedEngine(
      (request) => {
        const turn = turnIndex(request);
        if (turn > 0) feedbacks.push(lastUserMessage(request));
        if (turn === 0) return repl(`answer.content = 'y'.repeat(5000); answer.ready = true;`);
        if (turn === 1) return `FINAL(${'z'.repeat(3000)})`;
        return 'FINAL(fits)';
      },
      { maxAnswerChars: 1000 },
    );
    const result = await rlm.completion('ctx', 'q');
    expect(result).toMatchObject({ answer: 'fits', stopReason: 'final', iterations: 3 });
    expect(feedbacks[0]).toContain('AnswerTooLargeError: the final answer has 5000 characters');
    expect(feedbacks[1]).toContain('FINAL(...) failed: the final answer has 3,000 characters');
  });
});

describe('bounded answers in the Python sandbox', () => {
  it('refuses an oversized FINAL and partial answer inside the sandbox: the host never receives them', async () => {
    // The probe: a 90 MB Python FINAL took the host process to 685 MB, and a 90 MB answer["content"]
    // sent with each of three sub-calls to 1 GB, before the session loop refused the answer.
    let feedback = '';
    const { rlm } = await scriptedEngine(
      (request) => {
        if (!isSessionTurn(request)) return 'ok';
        if (turnIndex(request) === 0)
          return repl(`answer["content"] = "y" * ${40 * MiB}\nfor i in range(4): llm_query(f"p{i}")\nFINAL("x" * ${60 * MiB})`);
        feedback = lastUserMessage(request);
        return 'FINAL(a short answer)';
      },
      { maxAnswerChars: MiB, repl: 'python', pythonSpares: 0 },
    );
    const { value: result, growthMb } = await measureRssGrowth(() => rlm.completion('ctx', 'q'));
    expect(result).toMatchObject({ answer: 'a short answer', stopReason: 'final', iterations: 2 });
    // Refused in the sandbox (its message has no thousands separators, the host's has).
    expect(feedback).toContain(`AnswerTooLargeError: the final answer has ${60 * MiB} characters, more than the limit of ${MiB} (maxAnswerChars)`);
    // Both strings live in the sandbox process; four partial answers and the FINAL would be 280 MB here.
    expect(growthMb).toBeLessThan(100);
  }, 120_000);
});

describe('one sandbox memory budget per request', () => {
  it('refuses child REPLs that would take the request past maxSandboxMemoryMb, with an error string', async () => {
    const children = 12;
    let feedback = '';
    const { rlm } = await scriptedEngine(
      (request) => {
        if (!isSessionTurn(request)) return { content: 'held', delayMs: 3_000 };
        if (request.messages.some((message) => message.content?.includes(CHILD_QUERY) === true)) {
          if (turnIndex(request) === 0)
            return repl(`globalThis.held = 'c'.repeat(${30 * MiB}).toUpperCase(); await llm_query('hold');`);
          return 'FINAL(child done)';
        }
        if (turnIndex(request) === 0)
          return repl(
            `const results = await rlm_query_batched(Array.from({ length: ${children} }, (_, i) => 'child task ' + i));\n` +
              `print(results.filter((r) => r.includes('sandbox memory budget')).length, results.filter((r) => r === 'child done').length);\n` +
              `print(results.find((r) => r.startsWith('Error')));`,
          );
        feedback = lastUserMessage(request);
        return 'FINAL(parent done)';
      },
      // Root 129 MB + two children of 129 MB fit in 400 MB; the rest must be refused.
      { maxDepth: 2, maxSandboxMemoryMb: 400 },
    );
    const { value: result, growthMb } = await measureRssGrowth(() => rlm.completion('ctx', 'q'));
    expect(result).toMatchObject({ answer: 'parent done', stopReason: 'final' });
    const counts = /(\d+) (\d+)\n/.exec(feedback);
    expect(counts).not.toBeNull();
    const [refused, done] = [Number(counts?.[1]), Number(counts?.[2])];
    expect(refused + done).toBe(children);
    expect(done).toBeGreaterThanOrEqual(1);
    expect(refused).toBeGreaterThanOrEqual(children - 4);
    expect(feedback).toContain("sandbox memory budget (maxSandboxMemoryMb)");
    // Twelve children holding 30 MB each would be 360 MB and more; the budget keeps it near 2-4 of them.
    expect(growthMb).toBeLessThan(300);
  });
  it('reserves what a Python sandbox may hold (its heap limit), not the isolate limit of its context', async () => {
    // The probe: Python child sessions reserved 129 MB each (the JavaScript isolate's limit for
    // their context) while each may hold 513 MB of Python heap (640 MB from a pooled spare): a
    // 600 MB budget let the root and three children of 300 MB run, 1.8 GB of sandbox processes.
    const children = 4;
    let feedback = '';
    const { rlm } = await scriptedEngine(
      (request) => {
        if (!isSessionTurn(request)) return { content: 'held', delayMs: 4_000 };
        if (request.messages.some((message) => message.content?.includes(CHILD_QUERY) === true)) {
          if (turnIndex(request) === 0)
            return repl(`held = bytearray(${200 * MiB})\nfor i in range(0, len(held), 4096): held[i] = 1\nllm_query('hold')`);
          return 'FINAL(child done)';
        }
        if (turnIndex(request) === 0)
          return repl(
            `results = rlm_query_batched([f'child task {i}' for i in range(${children})])\n` +
              `print(sum('sandbox memory budget' in r for r in results), sum(r == 'child done' for r in results))\n` +
              `print(next(r for r in results if r.startswith('Error')))`,
          );
        feedback = lastUserMessage(request);
        return 'FINAL(parent done)';
      },
      // Without spares each session starts its own sandbox with the default 513 MB heap limit: the
      // root's and one child's fit in 1,400 MB; a second child must be refused.
      { maxDepth: 2, repl: 'python', maxSandboxMemoryMb: 1_400, pythonSpares: 0 },
    );
    const { value: result, growthMb } = await measureTreeRssGrowth(() => rlm.completion('ctx', 'q'));
    expect(result).toMatchObject({ answer: 'parent done', stopReason: 'final' });
    const counts = /(\d+) (\d+)\n/.exec(feedback);
    expect(counts).not.toBeNull();
    const [refused, done] = [Number(counts?.[1]), Number(counts?.[2])];
    expect(refused + done).toBe(children);
    expect(done).toBeGreaterThanOrEqual(1);
    expect(refused).toBeGreaterThanOrEqual(children - 2);
    expect(feedback).toContain('and this one needs 513 MB');
    // Root and one child (about 170 MB of Pyodide each, 200 MB held); four children would be 1.6 GB more.
    expect(growthMb).toBeLessThan(1_000);
  }, 180_000);
});

