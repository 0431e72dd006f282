/** The pool hands out sandboxes that loaded Pyodide ahead of need, and only to sessions they fit. */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeReplHost } from '../sandbox/fake-repl-host.ts';
import { PythonReplSession } from './python-repl-session.ts';
import { DEFAULT_POOL_LIMITS, PythonSandboxPool } from './sandbox-pool.ts';

const pools: PythonSandboxPool[] = [];
const sessions: PythonReplSession[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
  for (const pool of pools.splice(0)) pool.close();
});

describe('Python sandbox pool', () => {
  it('gives a fitting session a spare that has already loaded Pyodide, and starts a replacement', async () => {
    const pool = new PythonSandboxPool({ spares: 1 });
    pools.push(pool);
    pool.fill();
    const spare = pool.take(DEFAULT_POOL_LIMITS);
    expect(spare).toBeDefined();
    await spare?.loaded;
    spare?.kill('killed');
    const next = pool.take({ ...DEFAULT_POOL_LIMITS, memoryLimitMb: 600 });
    expect(next).toBeDefined();
    expect(next).not.toBe(spare);
    next?.kill('killed');
  });

  it('refuses sessions that need more memory or another output cap', () => {
    const pool = new PythonSandboxPool({ spares: 0 });
    pools.push(pool);
    expect(pool.take({ ...DEFAULT_POOL_LIMITS, memoryLimitMb: DEFAULT_POOL_LIMITS.memoryLimitMb + 1 })).toBeUndefined();
    expect(pool.take({ ...DEFAULT_POOL_LIMITS, maxCapturedOutputChars: 10 })).toBeUndefined();
  });

  it('sessions from the pool run steps and keep state; a reset takes the next spare', async () => {
    const pool = new PythonSandboxPool({ spares: 1 });
    pools.push(pool);
    const session = await PythonReplSession.create({ context: 'pooled', host: new FakeReplHost(), pool });
    sessions.push(session);
    await session.execute('x = len(context)', { timeoutMs: 20_000 });
    expect((await session.execute('print(x)', { timeoutMs: 20_000 })).output).toBe('6\n');
    expect((await session.execute('while True: pass', { timeoutMs: 1_000 })).reset).toBe('timeout');
    expect((await session.execute('print(context)', { timeoutMs: 20_000 })).output).toBe('pooled\n');
  });

  it('ready() resolves once the spare has loaded, so the session takes a sandbox that needs no wait', async () => {
    const pool = new PythonSandboxPool({ spares: 1 });
    pools.push(pool);
    await pool.ready();
    expect(pool.waiting).toBe(1);
    const spare = pool.take(DEFAULT_POOL_LIMITS);
    const state = await Promise.race([
      spare?.loaded.then(() => 'loaded'),
      new Promise((resolve) => setImmediate(() => resolve('still loading'))),
    ]);
    expect(state).toBe('loaded');
    expect(spare?.loadMs).toBeGreaterThan(0);
    spare?.kill('killed');
  });

  it('replaces a taken spare when the session is done with a step, not while the step runs', async () => {
    const pool = new PythonSandboxPool({ spares: 1 });
    pools.push(pool);
    await pool.ready();
    const session = await PythonReplSession.create({ context: 'fan-out', host: new FakeReplHost(), pool });
    sessions.push(session);
    expect(pool.waiting).toBe(0);
    const running = session.execute('x = 1', { timeoutMs: 20_000 });
    expect(pool.waiting).toBe(0);
    await running;
    // The replacement starts once the step's result has been handed over.
    await new Promise((resolve) => setImmediate(resolve));
    expect(pool.waiting).toBe(1);
  });

  it('a pool with no spares starts nothing and hands out nothing', async () => {
    const pool = new PythonSandboxPool({ spares: 0 });
    pools.push(pool);
    await pool.ready();
    expect(pool.waiting).toBe(0);
    expect(pool.take(DEFAULT_POOL_LIMITS)).toBeUndefined();
  });
});
