import { describe, expect, it } from 'vitest';
import { rewriteStep } from './rewrite-declarations.ts';

/**
 * Runs the rewritten sources against a fake global object, to check the rewrite alone. `with`
 * makes free identifiers resolve on that object, as they resolve on globalThis in the isolate.
 */
function compile(source: string, global: Record<string, unknown>): unknown {
  return new Function('global', `with (global) { return ${source} }`)(global);
}

function runRewritten(
  code: string,
  global: Record<string, unknown> = {},
): { global: Record<string, unknown>; result: unknown } {
  const rewrite = rewriteStep(code);
  if (!rewrite.ok) throw new Error(rewrite.error.message);
  if (rewrite.hoistSource !== undefined) {
    (compile(rewrite.hoistSource, global) as (g: unknown) => void)(global);
  }
  // The main wrapper is async; tests here use synchronous code, so look at the promise's value later.
  const main = compile(rewrite.mainSource, global) as (
    g: unknown,
    mark: () => void,
  ) => Promise<unknown>;
  return { global, result: main(global, () => {}) };
}

describe('rewriteStep', () => {
  it('turns top-level const/let/var into properties of the global object', async () => {
    const { global, result } = runRewritten('const a = 1; let b = 2, c = 3; var d = 4; let e;');
    await result;
    expect(global).toEqual({ a: 1, b: 2, c: 3, d: 4, e: undefined });
  });

  it('rewrites destructuring patterns, with defaults, renames and rest elements', async () => {
    const code =
      'const { a, b: [c, , d = 9], e: renamed = 5, ...rest } = { a: 1, b: [2, 0], x: 7 }; const [p, ...q] = [1, 2, 3];';
    const { global, result } = runRewritten(code);
    await result;
    expect(global).toEqual({ a: 1, c: 2, d: 9, renamed: 5, rest: { x: 7 }, p: 1, q: [2, 3] });
  });

  it('keeps an existing value for `var x;` and resets it for `let x;`', async () => {
    const { global, result } = runRewritten('var kept; let reset;', { kept: 1, reset: 2 });
    await result;
    expect(global).toEqual({ kept: 1, reset: undefined });
  });

  it('hoists function declarations so they can be called before they appear', async () => {
    const { global, result } = runRewritten(
      'const early = twice(2); function twice(n) { return n * 2 }',
    );
    await result;
    expect(global['early']).toBe(4);
    expect(typeof global['twice']).toBe('function');
  });

  it('assigns classes in place', async () => {
    const { global, result } = runRewritten(
      'class Box { constructor(v) { this.v = v } }; const box = new Box(3);',
    );
    await result;
    expect((global['box'] as { v: number }).v).toBe(3);
  });

  it('leaves declarations inside blocks, loops and functions local', async () => {
    const { global, result } = runRewritten(
      'for (let i = 0; i < 2; i++) {} { const inner = 1 } function f() { const local = 2 }',
    );
    await result;
    expect(Object.keys(global)).toEqual(['f']);
  });

  it('returns the value of a final expression statement, boxed', async () => {
    const { result } = runRewritten('const a = 2\na * 21');
    await expect(result).resolves.toEqual([42]);
  });

  it('returns parenthesized and commented final expressions intact', async () => {
    await expect(runRewritten('({ a: 1 })').result).resolves.toEqual([{ a: 1 }]);
    await expect(runRewritten('(1, 2) /* note */ ;').result).resolves.toEqual([2]);
    await expect(runRewritten('3 // note').result).resolves.toEqual([3]);
  });

  it('does not return anything when the last statement is not an expression', async () => {
    const { result } = runRewritten('const a = 2;');
    await expect(result).resolves.toBeUndefined();
  });

  it('survives a missing semicolon before a rewritten declaration', async () => {
    const { global, result } = runRewritten('const a = [1]\nconst {length} = a\nlength');
    await expect(result).resolves.toEqual([1]);
    expect(global['length']).toBe(1);
  });

  it('keeps line numbers aligned with the original code', () => {
    const code =
      'const a = 1;\nfunction f() {\n  return 1;\n}\nlet {\n  b\n} = {b: 2};\nclass C {}\na';
    const rewrite = rewriteStep(code);
    if (!rewrite.ok) throw new Error('expected ok');
    // Both wrappers add exactly one leading line and one trailing line.
    expect(rewrite.mainSource.split('\n')).toHaveLength(code.split('\n').length + 2);
    expect(rewrite.hoistSource?.split('\n')).toHaveLength(code.split('\n').length + 2);
    expect(rewrite.mainSource.split('\n')[9]).toContain('return [(a)]');
  });

  it('accepts top-level await', () => {
    expect(rewriteStep('const x = await Promise.resolve(1); x').ok).toBe(true);
  });

  it('reports syntax errors with a 1-based line and column and the offending line', () => {
    const rewrite = rewriteStep('const a = 1;\nconst = 2;');
    expect(rewrite.ok).toBe(false);
    if (rewrite.ok) return;
    expect(rewrite.error.name).toBe('SyntaxError');
    expect(rewrite.error.message).toContain('line 2, column 7');
    expect(rewrite.error.message).toContain('const = 2;');
  });
});
