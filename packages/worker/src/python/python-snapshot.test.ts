/**
 * Python REPL state across sandboxes (cluster mode): a snapshot taken in one session restores in
 * a fresh one, with values, shared references, functions, classes and their instances, imports
 * and the answer dict; what cannot be kept is named to the model on the next step.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeReplHost } from '../sandbox/fake-repl-host.ts';
import { PythonReplSession } from './python-repl-session.ts';
import { EMPTY_PYTHON_SNAPSHOT } from './python-snapshot.ts';

const STEP = { timeoutMs: 20_000 };
const sessions: PythonReplSession[] = [];

async function open(restore?: string): Promise<PythonReplSession> {
  const session = await PythonReplSession.create({
    context: 'the context',
    host: new FakeReplHost(),
    ...(restore === undefined ? {} : { restore }),
  });
  sessions.push(session);
  return session;
}

afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

describe('Python REPL snapshots', () => {
  it('restores values, shared references, functions, classes, instances, imports and the answer', async () => {
    const first = await open();
    const setup = await first.execute(
      [
        'import re',
        'from collections import Counter',
        'counts = Counter("abracadabra")',
        'shared = [1, 2]',
        'holder = {"list": shared, "n": 3}',
        'def double(x):',
        '    return 2 * x',
        'class Point:',
        '    def __init__(self, x): self.x = x',
        '    def norm(self): return abs(self.x)',
        'p = Point(-4)',
        'square = lambda x: x * x',
        'gen = (i for i in range(3))',
        'answer["content"] = "draft"',
      ].join('\n'),
      STEP,
    );
    expect(setup.error).toBeUndefined();
    const text = await first.snapshotText();
    first.dispose();

    const second = await open(text);
    const check = await second.execute(
      'shared.append(9)\nprint(holder["list"], double(21), p.norm(), counts["a"], bool(re.match("a", "ab")), answer["content"], len(context))',
      STEP,
    );
    expect(check.error).toBeUndefined();
    expect(check.output).toMatch(/^note: not restored from the previous step: .*square.*gen/m);
    expect(check.output).toContain('[1, 2, 9] 42 4 5 True draft 11\n');
    const names = check.variables.map((variable) => variable.name);
    expect(names).toEqual(expect.arrayContaining(['counts', 'shared', 'holder', 'double', 'Point', 'p']));
    expect(names).not.toContain('square');
  });

  it('the state after a reset is the empty state', async () => {
    const session = await open();
    await session.execute('x = 1', STEP);
    const killed = await session.execute('while True: pass', { timeoutMs: 1_000 });
    expect(killed.reset).toBe('timeout');
    expect(await session.snapshotText()).toBe(EMPTY_PYTHON_SNAPSHOT);
  });

  it('refuses a snapshot that is not one', async () => {
    await expect(open('{"version":1,"entries":[]}')).rejects.toThrow(/invalid Python REPL snapshot/);
  });
});
