import { describe, expect, it } from 'vitest';
import { stripTypes } from './strip-types.ts';

/** Compares code ignoring the whitespace that strip mode leaves where types were. */
function squash(code: string): string {
  return code
    .replace(/\s+/g, ' ')
    .replace(/ ([);,])/g, '$1')
    .trim();
}

describe('stripTypes', () => {
  it('removes interfaces, type aliases and annotations', () => {
    const code = [
      'interface Hit { line: number; text: string }',
      'type Hits = Hit[];',
      'const hits: Hits = [];',
      'function add(hit: Hit): void { hits.push(hit); }',
      'const n = hits.length as number;',
    ].join('\n');
    expect(squash(stripTypes(code))).toBe(
      'const hits = []; function add(hit) { hits.push(hit); } const n = hits.length;',
    );
  });

  it('keeps line numbers in strip mode so error positions still match', () => {
    const code = 'interface A {\n  a: string;\n}\nconst x: A = { a: "1" };\nthrow new Error(x.a);';
    const stripped = stripTypes(code);
    expect(stripped.split('\n')).toHaveLength(5);
    expect(stripped.split('\n')[4]).toBe('throw new Error(x.a);');
  });

  it('keeps top-level await', () => {
    const code = 'const answer: string = await llm_query("hi");';
    expect(squash(stripTypes(code))).toBe('const answer = await llm_query("hi");');
  });

  it('leaves plain JavaScript unchanged', () => {
    const code = 'const xs = [1, 2, 3];\nprint(xs.map((x) => x * 2));';
    expect(stripTypes(code)).toBe(code);
  });

  it('falls back to transform mode for enums', () => {
    const code = 'enum Color { Red, Green }\nprint(Color.Green);';
    const output = stripTypes(code);
    expect(output).not.toContain('enum');
    expect(output).toContain('print(');
  });

  it('falls back to transform mode for parameter properties and angle-bracket assertions', () => {
    const output = stripTypes(
      'class Box { constructor(private size: number) {} }\nconst n = <number>size;',
    );
    expect(output).toContain('this.size = size');
    expect(squash(output)).toContain('const n = size;');
  });

  it('throws a SyntaxError that names the problem for invalid TypeScript', () => {
    expect(() => stripTypes('const x: = ;')).toThrow(SyntaxError);
    expect(() => stripTypes('const x: = ;')).toThrow(/^Invalid TypeScript: Unexpected token/);
  });

  it('throws for invalid code that only transform mode reaches', () => {
    expect(() => stripTypes('enum E { A }\nconst = 1;')).toThrow(/^Invalid TypeScript/);
  });
});
