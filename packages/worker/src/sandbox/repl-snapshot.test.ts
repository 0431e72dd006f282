/**
 * Snapshots of REPL state: what one session saves, a fresh session (a fresh isolate, as on
 * another worker) restores, through the JSON text that would sit in Redis.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeReplHost } from './fake-repl-host.ts';
import { encodeValue, parseSnapshot, serializeSnapshot } from './repl-snapshot.ts';
import type { ReplSnapshot } from './repl-snapshot.ts';
import { ReplSession } from './repl-session.ts';

const STEP = { timeoutMs: 10_000 };
const sessions: ReplSession[] = [];

async function open(restore?: ReplSnapshot): Promise<ReplSession> {
  const session = await ReplSession.create({
    context: 'the context',
    host: new FakeReplHost(),
    ...(restore === undefined ? {} : { restore }),
  });
  sessions.push(session);
  return session;
}

/** Runs `code` in a session, then moves its state through JSON text into a fresh session. */
async function carryOver(code: string): Promise<{ next: ReplSession; snapshot: ReplSnapshot }> {
  const first = await open();
  const result = await first.execute(code, STEP);
  expect(result.error).toBeUndefined();
  const snapshot = parseSnapshot(serializeSnapshot(await first.snapshot()));
  first.dispose();
  return { next: await open(snapshot), snapshot };
}

/** The entries as `kind:names`, to assert what was stored and in which order. */
function layout(snapshot: ReplSnapshot): string[] {
  return snapshot.entries.map((entry) =>
    entry.kind === 'value' ? `value:${entry.names.join(',')}` : `function:${entry.name}`,
  );
}

async function output(session: ReplSession, code: string): Promise<string> {
  const result = await session.execute(code, STEP);
  expect(result.error).toBeUndefined();
  return result.output;
}

afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

describe('REPL snapshots: values', () => {
  it('round-trips every structured-clone kind exactly', async () => {
    const { next, snapshot } = await carryOver(
      [
        'const str = "text"; const num = 1.5; const nan = NaN; const negZero = -0; const inf = -Infinity;',
        'const big = 2n ** 70n; const yes = true; const nothing = null; let undef;',
        'const sparse = [1, , 3]; sparse[9] = 10;',
        'const nested = { list: [{ deep: [1, { deeper: "x" }] }], when: new Date(0), re: /a+b/gi };',
        'const map = new Map([[1, { one: 1 }], ["k", new Set([1n, "s"])]]);',
        'const set = new Set([NaN, -0, undefined]);',
        'const buffer = new ArrayBuffer(8); const bytes = new Uint8Array(buffer, 2, 4); bytes[0] = 255;',
        'const floats = new Float64Array([1.25, -0]); const bigs = new BigInt64Array([-5n]);',
        'const dictionary = Object.create(null); dictionary.key = "value";',
        'const error = new RangeError("bad range");',
      ].join('\n'),
    );
    expect(snapshot.skipped).toEqual([]);
    const checks = [
      'str === "text"',
      'num === 1.5',
      'Number.isNaN(nan)',
      'Object.is(negZero, -0)',
      'inf === -Infinity',
      'big === 2n ** 70n',
      'yes === true',
      'nothing === null',
      '"undef" in globalThis && undef === undefined',
      'sparse.length === 10 && !(1 in sparse) && !(5 in sparse) && sparse[9] === 10',
      'nested.list[0].deep[1].deeper === "x"',
      'nested.when instanceof Date && nested.when.getTime() === 0',
      'nested.re instanceof RegExp && nested.re.source === "a+b" && nested.re.flags === "gi"',
      'map instanceof Map && map.get(1).one === 1 && map.get("k").has(1n)',
      'set instanceof Set && set.has(NaN) && set.has(0) && set.has(undefined)',
      'bytes instanceof Uint8Array && bytes.buffer === buffer && bytes.byteOffset === 2 && bytes[0] === 255',
      'floats instanceof Float64Array && floats[0] === 1.25 && Object.is(floats[1], -0)',
      'bigs[0] === -5n',
      'dictionary.key === "value"',
      'error instanceof RangeError && error.message === "bad range"',
    ];
    const result = await output(
      next,
      `[${checks.join(', ')}].map((ok, i) => ok ? "" : i).join("")`,
    );
    expect(result).toBe('\n');
  });

  it('keeps cycles, and objects shared between variables, by storing those variables together', async () => {
    const { next, snapshot } = await carryOver(
      [
        'const alone = { n: 1 };',
        'const node = { name: "a" }; node.self = node;',
        'const shared = [1]; const other = 2; const pair = { left: shared, right: shared };',
        'const list = [node, pair];',
        'const outer = { inner: { v: 1 } }; const view = [outer.inner];',
      ].join('\n'),
    );
    expect(layout(snapshot)).toEqual([
      'value:alone',
      'value:node,shared,pair,list',
      'value:other',
      'value:outer,view',
    ]);
    expect(
      await output(
        next,
        'node.self === node && pair.left === pair.right && pair.left === shared && list[0] === node && list[1] === pair && view[0] === outer.inner',
      ),
    ).toBe('true\n');
  });

  it('checks a state too big to remember object by object without running out of heap', async () => {
    // 400,000 objects in a 64 MB isolate: the walk cannot keep a map of them all, and must not try.
    const first = await ReplSession.create({
      context: '',
      host: new FakeReplHost(),
      memoryLimitMb: 64,
    });
    sessions.push(first);
    const step = await first.execute(
      'const rows = Array.from({ length: 200000 }, (_, i) => ({ id: i, tags: [i] })); const index = new Map([[5, rows[5]]])',
      STEP,
    );
    expect(step.error).toBeUndefined();
    const snapshot = await first.snapshot();
    expect(snapshot.skipped).toEqual([]);
    const next = await open(snapshot);
    expect(
      await output(next, 'rows.length + " " + rows[199999].tags[0] + " " + index.get(5).id'),
    ).toBe('200000 199999 5\n');
  });

  it('keeps a 10 MB string', async () => {
    const { next, snapshot } = await carryOver('const huge = "ab".repeat(5 * 1024 * 1024)');
    expect(layout(snapshot)).toEqual(['value:huge']);
    expect(await output(next, 'huge.length + " " + (huge === "ab".repeat(5 * 1024 * 1024))')).toBe(
      `${10 * 1024 * 1024} true\n`,
    );
  });

  it('keeps answer.content and answer.ready', async () => {
    const { next, snapshot } = await carryOver('answer.content = { draft: [1, 2] }');
    expect(snapshot.answer.ready).toBe(false);
    const step = await next.execute('answer.content.draft.length', STEP);
    expect(step.output).toBe('2\n');
    expect(step.partialAnswer).toBe('{\n  "draft": [\n    1,\n    2\n  ]\n}');

    const shared = await carryOver('const summary = { items: [] }; answer.content = summary');
    expect(shared.snapshot.entries).toEqual([]);
    expect(shared.snapshot.answer.sharedWith).toEqual(['summary']);
    const final = await shared.next.execute('summary.items.push("x"); answer.ready = true', STEP);
    expect(final.final).toEqual({ value: '{\n  "items": [\n    "x"\n  ]\n}' });

    const ready = await carryOver('answer.content = "done"; answer.ready = true');
    expect(ready.snapshot.answer.ready).toBe(true);
    expect((await ready.next.execute('1', STEP)).final).toEqual({ value: 'done' });
  });

  it('leaves out the context and the REPL API', async () => {
    const { snapshot } = await carryOver('const mine = context.length');
    expect(layout(snapshot)).toEqual(['value:mine']);
  });
});

describe('REPL snapshots: functions', () => {
  it('re-evaluates declarations, arrow consts, async and generator functions and classes', async () => {
    const { next, snapshot } = await carryOver(
      [
        'const base = 10;',
        'function add(x) { return x + base }',
        'const twice = (x) => add(add(x));',
        'async function later(x) { return (await llm_query(String(x))) + "!" }',
        'function* count(n) { for (let i = 0; i < n; i++) yield i }',
        'class Counter {',
        '  static made = 0;',
        '  static create() { Counter.made += 1; return new Counter() }',
        '  #n = 0;',
        '  inc() { return ++this.#n }',
        '}',
        'class Loud extends Counter { inc() { return super.inc() * 100 } }',
      ].join('\n'),
    );
    expect(snapshot.skipped).toEqual([]);
    // Function declarations are hoisted, so they are created before the step's other globals.
    expect(layout(snapshot)).toEqual([
      'value:base',
      'function:add',
      'function:later',
      'function:count',
      'function:twice',
      'function:Counter',
      'function:Loud',
    ]);
    expect(
      await output(
        next,
        [
          'const c = Counter.create(); c.inc();',
          'print(add(1), twice(1), await later(3), [...count(3)].join(","), c.inc(), Counter.made, new Loud().inc(), new Loud() instanceof Counter)',
        ].join('\n'),
      ),
    ).toBe('11 21 answer to 3! 0,1,2 2 1 100 true\n');
  });

  it('lets a restored helper see a helper redefined after the restore', async () => {
    const { next } = await carryOver(
      'function run() { return helper() }\nfunction helper() { return "v1" }',
    );
    expect(await output(next, 'function helper() { return "v2" }\nrun()')).toBe('v2\n');
  });

  it('skips bound and native functions with a reason', async () => {
    const { snapshot } = await carryOver(
      'function f() { return 1 }\nconst bound = f.bind(null);\nconst native = Math.max;',
    );
    expect(snapshot.skipped).toEqual([
      { name: 'bound', reason: 'bound function' },
      { name: 'native', reason: 'native function' },
    ]);
  });

  it('skips a method taken off an object, whose source is not a standalone function', async () => {
    const { snapshot } = await carryOver('const method = { run() { return 1 } }.run;');
    expect(snapshot.skipped).toEqual([
      { name: 'method', reason: 'method, not a standalone function' },
    ]);
  });
});

describe('REPL snapshots: what cannot be kept', () => {
  it('skips class instances, objects holding functions and other uncloneables, and says so once', async () => {
    const { next, snapshot } = await carryOver(
      [
        'class Point { constructor() { this.x = 1 } }',
        'const point = new Point();',
        'const tools = { name: "t", run() { return 1 } };',
        'const nested = { list: [new Point()] };',
        'const promise = Promise.resolve(1);',
        'const weak = new WeakMap();',
        'const sym = Symbol("s");',
        'const getter = { get now() { return 1 } };',
        'Object.defineProperty(globalThis, "accessor", { get() { return 1 }, enumerable: true, configurable: true });',
        'const kept = 1;',
      ].join('\n'),
    );
    expect(snapshot.skipped).toEqual([
      { name: 'point', reason: 'instance of Point' },
      { name: 'tools', reason: 'contains a function' },
      { name: 'nested', reason: 'contains an instance of Point' },
      { name: 'promise', reason: 'promise' },
      { name: 'weak', reason: 'WeakMap' },
      { name: 'sym', reason: 'symbol' },
      { name: 'getter', reason: 'contains a getter' },
      { name: 'accessor', reason: 'getter' },
    ]);
    const first = await next.execute('kept + typeof point', STEP);
    expect(first.output).toBe(
      'note: not restored from the previous step: point (instance of Point), tools (contains a function), nested (contains an instance of Point), promise (promise), weak (WeakMap), sym (symbol), getter (contains a getter), accessor (getter)\n1undefined\n',
    );
    expect(first.outputTotalChars).toBe(first.output.length);
    expect((await next.execute('kept', STEP)).output).toBe('1\n');
  });

  it('reports a value the structured clone refuses, such as a proxy', async () => {
    const { snapshot } = await carryOver('const proxy = new Proxy({}, {})');
    expect(snapshot.skipped).toHaveLength(1);
    expect(snapshot.skipped[0]?.reason).toMatch(/^could not be copied: /);
  });

  it('bounds a getter that never returns, and keeps the rest', async () => {
    const { next, snapshot } = await carryOver(
      // Listing variables after the step does not look inside objects; the snapshot does.
      'const kept = 2; const stuck = { inner: new Proxy({}, { getPrototypeOf() { for (;;) {} } }) }',
    );
    expect(snapshot.skipped).toEqual([{ name: 'stuck', reason: 'too slow to read' }]);
    expect((await next.execute('kept', STEP)).output).toBe(
      'note: not restored from the previous step: stuck (too slow to read)\n2\n',
    );
  });
});

describe('REPL snapshots: lifecycle and format', () => {
  it('is deterministic, and a restored session snapshots to the same state', async () => {
    const first = await open();
    await first.execute(
      'const m = new Map([["a", [1, 2]]]); const s = new Set([1]); function f() { return m } const o = { z: 1, a: 2 }; answer.content = "x"',
      STEP,
    );
    const text = serializeSnapshot(await first.snapshot());
    expect(serializeSnapshot(await first.snapshot())).toBe(text);
    const second = await open(parseSnapshot(text));
    expect(serializeSnapshot(await second.snapshot())).toBe(text);
    await second.execute('o.extra = [f().get("a")]', STEP);
    const third = await open(await second.snapshot());
    expect(await output(third, 'o.extra[0][1]')).toBe('2\n');
  });

  it('passes on what was not restored until a step has reported it', async () => {
    const { next } = await carryOver('class Thing {}\nconst thing = new Thing(); const kept = 1');
    const untold = await next.snapshot();
    expect(untold.skipped).toEqual([{ name: 'thing', reason: 'instance of Thing' }]);
    const again = await open(untold);
    expect((await again.execute('kept', STEP)).output).toBe(
      'note: not restored from the previous step: thing (instance of Thing)\n1\n',
    );
    expect((await again.snapshot()).skipped).toEqual([]);
  });

  it('runs after the steps queued before it', async () => {
    const session = await open();
    const step = session.execute('const queued = await llm_query("q")', STEP);
    const snapshot = await session.snapshot();
    await step;
    expect(layout(snapshot)).toEqual(['value:queued']);
  });

  it('gives the empty state after a step reset the REPL, and rejects once disposed', async () => {
    const session = await open();
    await session.execute('const lost = 1', STEP);
    expect((await session.execute('while (true) {}', { timeoutMs: 200 })).reset).toBe('timeout');
    const snapshot = await session.snapshot();
    expect(snapshot.entries).toEqual([]);
    session.dispose();
    await expect(session.snapshot()).rejects.toThrow('disposed');
  });

  it('parseSnapshot rejects what is not a snapshot, saying why', () => {
    expect(() => parseSnapshot('not json')).toThrow(/invalid REPL snapshot: not JSON/);
    expect(() => parseSnapshot('{}')).toThrow(/invalid REPL snapshot: version/);
    const valid = {
      version: 1,
      entries: [{ kind: 'value', names: ['a'], data: 'AA==' }],
      answer: { content: 'AA==', sharedWith: [], ready: false },
      skipped: [],
    };
    expect(parseSnapshot(JSON.stringify(valid))).toEqual(valid);
    expect(() => parseSnapshot(JSON.stringify({ ...valid, version: 2 }))).toThrow(/version/);
    expect(() =>
      parseSnapshot(
        JSON.stringify({
          ...valid,
          entries: [{ kind: 'value', names: ['a'], data: 'not base64!' }],
        }),
      ),
    ).toThrow(/entries\.0\.data/);
    expect(() =>
      parseSnapshot(JSON.stringify({ ...valid, entries: [...valid.entries, ...valid.entries] })),
    ).toThrow(/"a" is defined twice/);
  });

  it('restores what it can from damaged entries and names the rest', async () => {
    const session = await open({
      version: 1,
      entries: [
        { kind: 'value', names: ['good'], data: encodeValue(['kept']) },
        { kind: 'value', names: ['corrupt'], data: 'AAAA' },
        { kind: 'value', names: ['print'], data: encodeValue(['mine']) },
        { kind: 'function', name: 'broken', source: 'function () { [native code] }' },
        { kind: 'function', name: 'throws', source: 'class { static { missing() } }' },
      ],
      answer: { content: encodeValue(['one', 'two']), sharedWith: [], ready: false },
      skipped: [{ name: 'earlier', reason: 'instance of Thing' }],
    });
    const result = await session.execute('good + " " + typeof print', STEP);
    expect(result.output).toMatch(
      /^note: not restored from the previous step: earlier \(instance of Thing\), corrupt \(not restorable: .+\), print \(reserved name\), answer\.content \(not restorable: wrong number of values\), broken \(not restorable: native function\), throws \(not restorable: missing is not defined\)\nkept function\n$/,
    );
  });
});
