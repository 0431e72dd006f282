/**
 * The REPL under pressure: runaway loops, memory exhaustion, cancellation, big contexts and big
 * outputs. Every killed step must come back as data, leave the process alive, and leave the
 * session usable with its context.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ContextValue } from '@rlm/shared';
import { FakeReplHost } from './fake-repl-host.ts';
import { ReplSession } from './repl-session.ts';
import type { ReplSessionOptions } from './repl-session.ts';

const sessions: ReplSession[] = [];

async function open(
  options: Partial<ReplSessionOptions> & { context?: ContextValue } = {},
): Promise<ReplSession> {
  const session = await ReplSession.create({
    context: 'the context',
    host: new FakeReplHost(),
    ...options,
  });
  sessions.push(session);
  return session;
}

afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

describe('ReplSession: timeouts', () => {
  it('stops a synchronous infinite loop and resets the REPL', async () => {
    const session = await open();
    await session.execute('const before = 1', { timeoutMs: 5_000 });
    const result = await session.execute('while (true) {}', { timeoutMs: 300 });
    expect(result.reset).toBe('timeout');
    expect(result.error?.name).toBe('TimeoutError');
    expect(result.error?.message).toContain(
      'step timed out after 0.3 s; the REPL was reset and all variables were lost',
    );
    expect(result.variables).toEqual([]);

    const next = await session.execute('typeof before + " " + context', { timeoutMs: 5_000 });
    expect(next.reset).toBeUndefined();
    expect(next.output).toBe('undefined the context\n');
  });

  it('stops a loop that starts after awaiting a sub-call, keeping what was printed before it', async () => {
    const session = await open();
    const result = await session.execute(
      "print('working'); await llm_query('x'); while (true) {}",
      { timeoutMs: 400 },
    );
    expect(result.reset).toBe('timeout');
    expect(result.output).toBe('working\n');
    expect((await session.execute('1 + 1', { timeoutMs: 5_000 })).output).toBe('2\n');
  });

  it('keeps the answer.content reported at a sub-call when the step is killed', async () => {
    const session = await open();
    const result = await session.execute(
      "answer.content = { found: 3 }; await llm_query('x'); while (true) {}",
      { timeoutMs: 400 },
    );
    expect(result.reset).toBe('timeout');
    expect(result.partialAnswer).toBe('{\n  "found": 3\n}');
  });

  it('stops a loop that starts after a microtask', async () => {
    const session = await open();
    const result = await session.execute('await null; for (;;) {}', { timeoutMs: 300 });
    expect(result.reset).toBe('timeout');
  });

  it('bounds the wait for un-awaited sub-calls by the step budget', async () => {
    const session = await open({ host: new FakeReplHost({ delayMs: 2_000 }) });
    const result = await session.execute("llm_query('slow'); 'started'", { timeoutMs: 300 });
    expect(result.reset).toBe('timeout');
  });

  it('ignores answers that arrive for a dead isolate', async () => {
    const host = new FakeReplHost({ delayMs: 300 });
    const session = await open({ host });
    const result = await session.execute("llm_query('late'); while (true) {}", { timeoutMs: 100 });
    expect(result.reset).toBe('timeout');
    await host.whenIdle(); // the late answer is delivered to the disposed isolate
    expect(host.calls.map((call) => call.prompt)).toEqual(['late']);
    expect((await session.execute('await llm_query("fresh")', { timeoutMs: 5_000 })).output).toBe(
      'answer to fresh\n',
    );
  });
});

describe('ReplSession: memory', () => {
  it('resets on memory exhaustion, and the next step has a fresh isolate with the context', async () => {
    const session = await open({ memoryLimitMb: 64, context: 'kept context' });
    await session.execute('const before = 1', { timeoutMs: 5_000 });
    const result = await session.execute(
      'const hog = []; while (true) hog.push(new Array(100000).fill(Math.random()));',
      { timeoutMs: 30_000 },
    );
    expect(result.reset).toBe('memory');
    expect(result.error?.name).toBe('MemoryLimitError');
    expect(result.error?.message).toContain('limit 64 MB');
    const next = await session.execute('typeof before + " " + context', { timeoutMs: 5_000 });
    expect(next.output).toBe('undefined kept context\n');
  });
});

describe('ReplSession: cancellation', () => {
  it('an abort signal kills a running step', async () => {
    const controller = new AbortController();
    const session = await open({ host: new FakeReplHost({ onCall: () => controller.abort() }) });
    const result = await session.execute("await llm_query('go'); while (true) {}", {
      timeoutMs: 30_000,
      signal: controller.signal,
    });
    expect(result.reset).toBe('cancelled');
    expect(result.error?.name).toBe('AbortError');
    expect((await session.execute('context', { timeoutMs: 5_000 })).output).toBe('the context\n');
  });

  it('an already aborted signal runs nothing and loses nothing', async () => {
    const session = await open();
    await session.execute('const kept = 1', { timeoutMs: 5_000 });
    const result = await session.execute('globalThis.ran = true', {
      timeoutMs: 5_000,
      signal: AbortSignal.abort(),
    });
    expect(result.error?.name).toBe('AbortError');
    expect(result.reset).toBeUndefined();
    expect(result.variables).toEqual([{ name: 'kept', type: 'number' }]);
  });

  it('dispose during a step ends it as cancelled; later steps reject', async () => {
    let disposeSession = (): void => {};
    const session = await open({ host: new FakeReplHost({ onCall: () => disposeSession() }) });
    disposeSession = () => session.dispose();
    const result = await session.execute("await llm_query('go'); while (true) {}", {
      timeoutMs: 30_000,
    });
    expect(result.reset).toBe('cancelled');
    session.dispose(); // idempotent
    await expect(session.execute('1', { timeoutMs: 1_000 })).rejects.toThrow(/disposed/);
  });
});

describe('ReplSession: size', () => {
  it('holds a 50 MB string context and runs steps against it', async () => {
    const context = 'abcdefghij'.repeat(5_000_000);
    const session = await open({ context });
    const first = await session.execute('context.length', { timeoutMs: 10_000 });
    expect(first.output).toBe('50000000\n');
    const second = await session.execute('context.slice(-3)', { timeoutMs: 10_000 });
    expect(second.output).toBe('hij\n');
  });

  it('keeps at most maxCapturedOutputChars of output but counts everything printed', async () => {
    const session = await open({ maxCapturedOutputChars: 100 });
    const result = await session.execute("for (let i = 0; i < 1000; i++) print('0123456789')", {
      timeoutMs: 10_000,
    });
    expect(result.output).toBe('0123456789\n'.repeat(10).slice(0, 100));
    expect(result.outputTotalChars).toBe(11_000);
  });
});
