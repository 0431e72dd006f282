/**
 * Limits of the Python sandbox, with the JavaScript sandbox's semantics: a step that loops, is
 * cancelled or outgrows its memory loses the REPL state but keeps what it printed, and the next
 * step starts at once in a fresh sandbox; floods are capped; sub-calls fan out in one host call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeReplHost } from '../sandbox/fake-repl-host.ts';
import { PythonReplSession } from './python-repl-session.ts';

const LIMIT_MB = 256;
/** python-process.ts kills a sandbox whose resident set passes the limit plus this. */
const OVERHEAD_MB = 384;
const sessions: PythonReplSession[] = [];

async function open(host = new FakeReplHost(), options: { maxCapturedOutputChars?: number; maxAnswerChars?: number } = {}) {
  const session = await PythonReplSession.create({ context: 'ctx', host, memoryLimitMb: LIMIT_MB, ...options });
  sessions.push(session);
  return session;
}

afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

describe('Python sandbox limits', () => {
  it('resets a REPL whose code swallowed a MemoryError and left the heap full', async () => {
    const session = await open();
    const filled = await session.execute(
      'xs = []\ntry:\n    while True: xs.append(bytearray(4096))\nexcept MemoryError:\n    pass\nxs.append(1)',
      { timeoutMs: 60_000 },
    );
    const next = filled.reset === undefined ? await session.execute('y = 1', { timeoutMs: 10_000 }) : filled;
    expect(next.reset).toBe('memory');
    expect((await session.execute('print(len(context))', { timeoutMs: 10_000 })).output).toBe('3\n');
  });

  it.each([
    ['one huge allocation', 'bytearray(2**31 - 1)'],
    ['list growth', 'xs = []\nwhile True: xs.append(bytearray(4096))'],
    ['string doubling', 's = "a"\nwhile True: s = s + s'],
  ])('bounds memory under %s', async (_name, code) => {
    const session = await open();
    expect((await session.execute('keep = 41', { timeoutMs: 10_000 })).error).toBeUndefined();
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, session.residentBytes() ?? 0);
    }, 5);
    const result = await session.execute(code, { timeoutMs: 60_000 });
    clearInterval(sampler);
    // Python's heap is capped (MemoryError) or the resident set is (a kill): either way the REPL resets.
    expect(result.reset).toBe('memory');
    expect(result.error?.name).toBe('MemoryLimitError');
    expect(peak / 2 ** 20).toBeLessThan(LIMIT_MB + OVERHEAD_MB + 64);
    const after = await session.execute('print(len(context))', { timeoutMs: 10_000 });
    expect(after.output).toBe('3\n');
  });

  it('kills a loop at the wall-clock limit, keeping what it printed, and starts the next step fresh', async () => {
    const session = await open();
    await session.execute('x = 1', { timeoutMs: 10_000 });
    const result = await session.execute('print("before")\nllm_query("x")\nwhile True: pass', {
      timeoutMs: 1_500,
    });
    expect(result.reset).toBe('timeout');
    expect(result.error?.name).toBe('TimeoutError');
    expect(result.output).toBe('before\n');
    const next = await session.execute('print(x)', { timeoutMs: 30_000 });
    expect(next.error?.name).toBe('NameError');
  });

  it('abandons a step waiting on sub-calls when its signal aborts, keeping its output and partial answer', async () => {
    const controller = new AbortController();
    const host = new FakeReplHost({ delayMs: 60_000, onCall: () => controller.abort() });
    const session = await open(host);
    const result = await session.execute(
      'answer["content"] = "half"\nprint("asking")\nllm_query("never answered")',
      { timeoutMs: 60_000, signal: controller.signal },
    );
    expect(result.reset).toBe('cancelled');
    expect(result.output).toBe('asking\n');
    expect(result.partialAnswer).toBe('half');
  });

  it('caps a print flood and counts what it cut', async () => {
    const session = await open(new FakeReplHost(), { maxCapturedOutputChars: 10_000 });
    const result = await session.execute('for i in range(200000): print("flood line")', { timeoutMs: 30_000 });
    expect(result.output.length).toBe(10_000);
    expect(result.outputTotalChars).toBe(200_000 * 11);
  });

  it('returns a final answer up to maxAnswerChars whole, and refuses a longer one inside the sandbox', async () => {
    const session = await open(new FakeReplHost(), { maxAnswerChars: 20_000_000 });
    const result = await session.execute('big = "z" * 20_000_000\nFINAL_VAR("big")', { timeoutMs: 30_000 });
    expect(result.final?.value.length).toBe(20_000_000);
    const over = await session.execute('answer["content"] = big + "z"\nanswer["ready"] = True', { timeoutMs: 30_000 });
    expect(over.final).toBeUndefined();
    expect(over.partialAnswer).toBeUndefined();
    expect(over.error).toEqual({ name: 'AnswerTooLargeError', message: expect.stringContaining('the final answer has 20000001 characters, more than the limit of 20000000 (maxAnswerChars)') });
  });

  it('sends llm_query_batched to the host as one call that runs in parallel', async () => {
    const host = new FakeReplHost({ delayMs: 50 });
    const session = await open(host);
    const result = await session.execute(
      'answers = llm_query_batched([f"p{i}" for i in range(50)])\nprint(len(answers), answers[7])',
      { timeoutMs: 30_000 },
    );
    expect(result.output).toBe('50 answer to p7\n');
    expect(host.maxInFlight).toBe(50);
  });
});
