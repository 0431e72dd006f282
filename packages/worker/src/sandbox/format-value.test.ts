/** How the REPL prints values (format-value-source.ts runs inside the isolate, so test it there). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeReplHost } from './fake-repl-host.ts';
import { ReplSession } from './repl-session.ts';

let session: ReplSession;
beforeAll(async () => {
  session = await ReplSession.create({ context: '', host: new FakeReplHost() });
});
afterAll(() => session.dispose());

async function show(expression: string): Promise<string> {
  const result = await session.execute(`print(${expression})`, { timeoutMs: 5_000 });
  if (result.error) throw new Error(result.error.message);
  return result.output.slice(0, -1);
}

describe('printed values', () => {
  it('prints strings raw at top level and quoted inside structures', async () => {
    expect(await show(`"it's"`)).toBe("it's");
    expect(await show(`["it's", "a\\nb"]`)).toBe(`[ 'it\\'s', 'a\\nb' ]`);
  });

  it('prints primitives, functions, classes, dates, regexps and errors', async () => {
    expect(await show('-0, 10n, null, undefined, Symbol("s"), true')).toBe(
      '-0 10n null undefined Symbol(s) true',
    );
    expect(await show('function named() {}, () => 1, class Thing {}')).toBe(
      '[Function: named] [Function (anonymous)] [class Thing]',
    );
    expect(await show('new Date(0), /x+/g, new TypeError("bad")')).toBe(
      '1970-01-01T00:00:00.000Z /x+/g TypeError: bad',
    );
  });

  it('caps depth, marks cycles and shows accessors without running them', async () => {
    expect(await show('{ a: { b: { c: { d: 1 } } } }')).toBe('{ a: { b: { c: [Object] } } }');
    expect(await show('(() => { const o = { name: "o" }; o.self = o; return o; })()')).toBe(
      "{ name: 'o', self: [Circular] }",
    );
    expect(await show('{ get secret() { throw new Error("ran") } }')).toBe('{ secret: [Getter] }');
  });

  it('prints maps, sets, typed arrays and class instances', async () => {
    expect(await show('new Map([["k", [1]]]), new Set([1, 2])')).toBe(
      "Map(1) { 'k' => [ 1 ] } Set(2) { 1, 2 }",
    );
    expect(await show('new Uint8Array([1, 2])')).toBe('Uint8Array(2) [ 1, 2 ]');
    expect(await show('new (class Point { constructor() { this.x = 1 } })()')).toBe(
      'Point { x: 1 }',
    );
    expect(await show('Object.create(null)')).toBe('[Object: null prototype] {}');
  });

  it('breaks long structures over lines and packs many short items', async () => {
    expect(await show('{ first: "a".repeat(40), second: "b".repeat(40) }')).toBe(
      `{\n  first: '${'a'.repeat(40)}',\n  second: '${'b'.repeat(40)}'\n}`,
    );
    const numbers = await show('Array.from({ length: 120 }, (_, i) => i)');
    expect(numbers.startsWith('[\n  0, 1, 2, 3,')).toBe(true);
    expect(numbers.endsWith('99, ... 20 more items\n]')).toBe(true);
  });

  it('tells a pending sub-call from a settled one', async () => {
    const result = await session.execute('const p = llm_query("x"); print(p); await p; print(p)', {
      timeoutMs: 5_000,
    });
    expect(result.output).toBe("Promise { <pending> }\nPromise { 'answer to x' }\n");
  });
});
