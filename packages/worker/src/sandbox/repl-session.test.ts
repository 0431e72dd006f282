import { afterEach, describe, expect, it } from 'vitest';
import type { ContextValue } from '@rlm/shared';
import { FakeReplHost } from './fake-repl-host.ts';
import { ReplSession } from './repl-session.ts';

const STEP = { timeoutMs: 10_000 };
const sessions: ReplSession[] = [];

async function open(options: { context?: ContextValue; host?: FakeReplHost } = {}): Promise<{
  session: ReplSession;
  host: FakeReplHost;
}> {
  const host = options.host ?? new FakeReplHost();
  const session = await ReplSession.create({ context: options.context ?? 'the context', host });
  sessions.push(session);
  return { session, host };
}

afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

describe('ReplSession: output', () => {
  it('captures print and console.* and formats values roughly like Node', async () => {
    const { session } = await open();
    const result = await session.execute(
      "print('plain', 42, [1, 'two'], { a: { b: null } }); console.log('log'); console.error('err'); console.warn(undefined)",
      STEP,
    );
    expect(result.error).toBeUndefined();
    expect(result.output).toBe("plain 42 [ 1, 'two' ] { a: { b: null } }\nlog\nerr\nundefined\n");
    expect(result.outputTotalChars).toBe(result.output.length);
  });

  it('echoes the value of a final expression, but not when that statement printed or gave undefined', async () => {
    const { session } = await open();
    expect((await session.execute('const n = 6; n * 7', STEP)).output).toBe('42\n');
    expect((await session.execute("print('once')", STEP)).output).toBe('once\n');
    expect((await session.execute('void 0', STEP)).output).toBe('');
    expect((await session.execute("print('a'); 'b'", STEP)).output).toBe('a\nb\n');
  });

  it('keeps printed output in order across the chunks sent to the host', async () => {
    const { session } = await open();
    const result = await session.execute(
      "for (let i = 0; i < 5; i++) print(String(i).repeat(20000)); await llm_query('x'); print('end')",
      STEP,
    );
    const expected =
      ['0', '1', '2', '3', '4'].map((digit) => digit.repeat(20000) + '\n').join('') + 'end\n';
    expect(result.output).toBe(expected);
  });
});

describe('ReplSession: state across steps', () => {
  it('persists const, let, var, function, class and destructured names', async () => {
    const { session } = await open();
    const first = await session.execute(
      [
        'const a = 1;',
        'let b = "two";',
        'var c = [3];',
        'function double(x) { return x * 2 }',
        'class Counter { constructor() { this.n = 0 } inc() { return ++this.n } }',
        'const { d, e: [f, ...g] } = { d: 4, e: [5, 6, 7] };',
      ].join('\n'),
      STEP,
    );
    expect(first.error).toBeUndefined();
    const second = await session.execute(
      'print(a, b, c, double(a), new Counter().inc(), d, f, g)',
      STEP,
    );
    expect(second.output).toBe('1 two [ 3 ] 2 1 4 5 [ 6, 7 ]\n');
  });

  it('lets a later step declare a const again', async () => {
    const { session } = await open();
    await session.execute('const x = 1', STEP);
    const result = await session.execute('const x = 2; x', STEP);
    expect(result.error).toBeUndefined();
    expect(result.output).toBe('2\n');
  });

  it('hoists functions within a step and lets older functions see redefined helpers', async () => {
    const { session } = await open();
    const first = await session.execute(
      'const r = run(); function run() { return helper() } function helper() { return "v1" } r',
      STEP,
    );
    expect(first.output).toBe('v1\n');
    const second = await session.execute('function helper() { return "v2" }\nrun()', STEP);
    expect(second.output).toBe('v2\n');
  });

  it('supports top-level await', async () => {
    const { session } = await open();
    const result = await session.execute(
      'const v = await Promise.resolve(5); const w = await llm_query("q"); print(v, w)',
      STEP,
    );
    expect(result.output).toBe('5 answer to q\n');
  });

  it('exposes the context', async () => {
    const { session } = await open({ context: ['doc one', 'doc two'] });
    expect((await session.execute('context.length + ":" + context[1]', STEP)).output).toBe(
      '2:doc two\n',
    );
  });

  it('lists user variables with type and size, without builtins or the REPL API', async () => {
    const { session } = await open();
    const result = await session.execute(
      'const s = "abc"; const n = 1; const arr = [1, 2]; const obj = { a: 1, b: 2, c: 3 }; const nothing = null; let undef; const fn = () => 1; const m = new Map([[1, 2]]); const flag = true',
      STEP,
    );
    expect(result.variables).toEqual([
      { name: 's', type: 'string', size: 3 },
      { name: 'n', type: 'number' },
      { name: 'arr', type: 'array', size: 2 },
      { name: 'obj', type: 'object', size: 3 },
      { name: 'nothing', type: 'null' },
      { name: 'undef', type: 'undefined' },
      { name: 'fn', type: 'function' },
      { name: 'm', type: 'map', size: 1 },
      { name: 'flag', type: 'boolean' },
    ]);
  });

  it('SHOW_VARS prints and returns the user variables', async () => {
    const { session } = await open();
    const empty = await session.execute('SHOW_VARS()', STEP);
    expect(empty.output).toBe('No user variables yet.\n');
    const result = await session.execute(
      'const text = "hello"; const list = [1, 2, 3]; const shown = SHOW_VARS(); print(shown.length)',
      STEP,
    );
    expect(result.output).toBe(
      'Variables:\n  text: string (5 chars)\n  list: array (3 items)\n2\n',
    );
  });
});

describe('ReplSession: final answers', () => {
  it('FINAL takes a string as is and stringifies other values as JSON', async () => {
    const { session } = await open();
    expect((await session.execute('FINAL("done")', STEP)).final).toEqual({ value: 'done' });
    expect((await session.execute('FINAL({ a: [1, 2] })', STEP)).final).toEqual({
      value: '{\n  "a": [\n    1,\n    2\n  ]\n}',
    });
    expect((await session.execute('FINAL(42)', STEP)).final).toEqual({ value: '42' });
  });

  it('FINAL_VAR answers with a variable, and reports an unknown name as an error instead', async () => {
    const { session } = await open();
    const good = await session.execute('const result = { total: 3 }; FINAL_VAR("result")', STEP);
    expect(good.final).toEqual({ value: '{\n  "total": 3\n}' });
    const bad = await session.execute('FINAL_VAR("missing")', STEP);
    expect(bad.final).toBeUndefined();
    expect(bad.error?.message).toBe('FINAL_VAR: no variable named "missing"');
    const notAName = await session.execute('FINAL_VAR(result)', STEP);
    expect(notAName.final).toBeUndefined();
    expect(notAName.error?.message).toContain(
      'FINAL_VAR expects the name of a variable as a string',
    );
  });

  it('answer.ready ends the run with answer.content; content alone is a partial answer', async () => {
    const { session } = await open();
    const partial = await session.execute('answer.content = "draft"', STEP);
    expect(partial.partialAnswer).toBe('draft');
    expect(partial.final).toBeUndefined();
    const ready = await session.execute('answer.content = { n: 1 }; answer.ready = true', STEP);
    expect(ready.final).toEqual({ value: '{\n  "n": 1\n}' });
    expect(ready.partialAnswer).toBe('{\n  "n": 1\n}');
  });

  it('uses the captured JSON.stringify even if the step replaced it', async () => {
    const { session } = await open();
    const result = await session.execute('JSON.stringify = () => "hacked"; FINAL({ a: 1 })', STEP);
    expect(result.final).toEqual({ value: '{\n  "a": 1\n}' });
  });
});

describe('ReplSession: errors', () => {
  it('reports syntax errors with a line and column and keeps the session', async () => {
    const { session } = await open();
    await session.execute('const kept = 1', STEP);
    const result = await session.execute('const ok = 1;\nlet = = 2;', STEP);
    expect(result.error?.name).toBe('SyntaxError');
    expect(result.error?.message).toMatch(/line 2, column \d+/);
    expect(result.variables).toEqual([{ name: 'kept', type: 'number' }]);
  });

  it('reports a runtime error with its line, keeps what ran before it, and carries on', async () => {
    const { session } = await open();
    const failed = await session.execute(
      'const before = 1;\nprint("printed");\nnull.boom;\nconst after = 2;',
      STEP,
    );
    expect(failed.error).toEqual({
      name: 'TypeError',
      message: "Cannot read properties of null (reading 'boom') (line 3)",
    });
    expect(failed.output).toBe('printed\n');
    expect(failed.reset).toBeUndefined();
    const next = await session.execute('typeof before + " " + typeof after', STEP);
    expect(next.output).toBe('number undefined\n');
  });

  it('describes thrown non-errors', async () => {
    const { session } = await open();
    expect((await session.execute('throw "boom"', STEP)).error).toEqual({
      name: 'Error',
      message: "Uncaught 'boom'",
    });
  });

  it('measures each step', async () => {
    const { session } = await open();
    const result = await session.execute('1', STEP);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.durationMs).toBeLessThan(STEP.timeoutMs);
  });
});

describe('ReplSession: sub-calls', () => {
  it('runs Promise.all over llm_query in parallel', async () => {
    const { session, host } = await open({ host: new FakeReplHost({ delayMs: 100 }) });
    const result = await session.execute(
      'const chunks = Array.from({ length: 20 }, (_, i) => "chunk " + i);\nconst answers = await Promise.all(chunks.map((c) => llm_query(c)));\nanswers.length + " " + answers[19]',
      STEP,
    );
    expect(result.output).toBe('20 answer to chunk 19\n');
    expect(host.calls).toHaveLength(20);
    expect(host.maxInFlight).toBe(20);
  });

  it('routes the four functions to the host and passes options through', async () => {
    const { session, host } = await open();
    const result = await session.execute(
      [
        'print(await llm_query("a", { model: "small", temperature: 0 }));',
        'print(await llm_query_batched(["b", "c"]));',
        'print(await rlm_query("d", { maxTokens: 10 }));',
        'print(await rlm_query_batched(["e"]));',
      ].join('\n'),
      STEP,
    );
    expect(result.output).toBe(
      "answer to a\n[ 'answer to b', 'answer to c' ]\nanswer to d\n[ 'answer to e' ]\n",
    );
    expect(host.calls).toEqual([
      { kind: 'llm', prompt: 'a', options: { model: 'small', temperature: 0 } },
      { kind: 'llm', prompt: 'b', options: {} },
      { kind: 'llm', prompt: 'c', options: {} },
      { kind: 'rlm', prompt: 'd', options: { maxTokens: 10 } },
      { kind: 'rlm', prompt: 'e', options: {} },
    ]);
  });

  it('resolves invalid arguments to "Error:" strings instead of throwing', async () => {
    const { session, host } = await open();
    const result = await session.execute(
      [
        'print(await llm_query(42));',
        'print(await llm_query_batched("not a list"));',
        'print(await rlm_query_batched(["ok", 7]));',
        'print(await llm_query("p", { temperature: "hot" }));',
        'print(await llm_query("p", { unknown: 1 }));',
        'print(await llm_query("p", { model: () => "fn" }));',
      ].join('\n'),
      STEP,
    );
    expect(result.error).toBeUndefined();
    const lines = result.output.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(line).toMatch(/^Error: /);
    expect(lines[0]).toContain('expects the prompt as a string, got number');
    expect(lines[2]).toContain('item 1 is number');
    expect(host.calls).toHaveLength(0);
  });

  it('waits for sub-calls the step forgot to await and counts them', async () => {
    const { session, host } = await open({ host: new FakeReplHost({ delayMs: 50 }) });
    const result = await session.execute(
      'llm_query("one").then((v) => { globalThis.got = v; });\nllm_query("two");\nprint("done")',
      STEP,
    );
    expect(result.pendingAwaited).toBe(2);
    expect(result.output).toBe('done\n');
    expect(host.calls.map((call) => call.prompt)).toEqual(['one', 'two']);
    expect(result.variables).toContainEqual({
      name: 'got',
      type: 'string',
      size: 'answer to one'.length,
    });
    expect((await session.execute('got', STEP)).output).toBe('answer to one\n');
  });

  it('reports no pending calls when everything was awaited', async () => {
    const { session } = await open();
    expect((await session.execute('await llm_query("x")', STEP)).pendingAwaited).toBe(0);
  });
});
