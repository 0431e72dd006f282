import { afterEach, describe, expect, it } from 'vitest';
import { FakeReplHost } from './fake-repl-host.ts';
import { ReplSession } from './repl-session.ts';

const STEP = { timeoutMs: 10_000 };
const sessions: ReplSession[] = [];

afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

async function open(toolNames: readonly string[]): Promise<ReplSession> {
  const session = await ReplSession.create({ context: 'c', host: new FakeReplHost(), toolNames });
  sessions.push(session);
  return session;
}

describe('ReplSession: caller tools', () => {
  it('defines each tool as an async function whose result is copied in', async () => {
    const session = await open(['lookup_customer']);
    const result = await session.execute(
      'const r = await lookup_customer({ id: 7 }); print(typeof lookup_customer, lookup_customer.name, JSON.stringify(r))',
      STEP,
    );
    expect(result.error).toBeUndefined();
    expect(result.output).toBe('function lookup_customer {"tool":"lookup_customer","args":{"id":7}}\n');
  });

  it('does not list tools as user variables, and runs tool calls in parallel with Promise.all', async () => {
    const session = await open(['a_tool']);
    const result = await session.execute('const xs = await Promise.all([1, 2, 3].map((id) => a_tool({ id }))); print(xs.length)', STEP);
    expect(result.output).toBe('3\n');
    expect(result.variables.map((variable) => variable.name)).toEqual(['xs']);
  });

  it('defines no tools when none are given', async () => {
    const session = await open([]);
    const result = await session.execute('print(typeof lookup_customer)', STEP);
    expect(result.output).toBe('undefined\n');
  });
});
