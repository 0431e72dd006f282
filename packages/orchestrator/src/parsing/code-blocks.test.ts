import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractCodeBlocks } from './code-blocks.ts';

describe('extractCodeBlocks', () => {
  it('returns every JavaScript block in reply order', () => {
    const reply = [
      'First I peek.',
      '```repl',
      'print(context.length)',
      '```',
      'Then I filter.',
      '```javascript',
      'const hits = lines.filter((l) => l.includes("x"));',
      '```',
      '```js',
      'print(hits.length)',
      '```',
    ].join('\n');
    expect(extractCodeBlocks(reply)).toEqual([
      { language: 'js', code: 'print(context.length)' },
      { language: 'js', code: 'const hits = lines.filter((l) => l.includes("x"));' },
      { language: 'js', code: 'print(hits.length)' },
    ]);
  });

  it('tags ts and typescript blocks as ts', () => {
    const reply = '```ts\nconst a: number = 1;\n```\n```TypeScript\nlet b: string;\n```';
    expect(extractCodeBlocks(reply)).toEqual([
      { language: 'ts', code: 'const a: number = 1;' },
      { language: 'ts', code: 'let b: string;' },
    ]);
  });

  it('reads the language case-insensitively, ignoring surrounding spaces and later words', () => {
    const reply = '``` REPL  \na()\n```\n```Js title="step"\nb()\n```';
    expect(extractCodeBlocks(reply).map((block) => block.code)).toEqual(['a()', 'b()']);
  });

  it('ignores blocks in other languages and bare fences', () => {
    const reply = [
      '```python',
      'print(1)',
      '```',
      '```json',
      '{"a": 1}',
      '```',
      '```text',
      'FINAL(1)',
      '```',
      '```',
      'no language',
      '```',
      '```jsx',
      '<div/>',
      '```',
      '```js',
      'run()',
      '```',
    ].join('\n');
    expect(extractCodeBlocks(reply)).toEqual([{ language: 'js', code: 'run()' }]);
  });

  it('supports tilde fences', () => {
    expect(extractCodeBlocks('~~~js\nx = 1\n~~~')).toEqual([{ language: 'js', code: 'x = 1' }]);
  });

  it('closes only on the same fence character with at least the same length', () => {
    const reply = ['````js', 'const s = `', '```', '~~~~', '`;', '`````', 'after'].join('\n');
    expect(extractCodeBlocks(reply)).toEqual([
      { language: 'js', code: 'const s = `\n```\n~~~~\n`;' },
    ]);
  });

  it('accepts a closing fence with trailing spaces but not with trailing text', () => {
    const reply = '```js\na()\n``` not a fence\nb()\n```   \nprose';
    expect(extractCodeBlocks(reply)).toEqual([
      { language: 'js', code: 'a()\n``` not a fence\nb()' },
    ]);
  });

  it('takes the rest of the reply when the last fence is never closed', () => {
    const reply = 'Let me count.\n```js\nconst n = context.length;\nprint(n';
    expect(extractCodeBlocks(reply)).toEqual([
      { language: 'js', code: 'const n = context.length;\nprint(n' },
    ]);
  });

  it('does not treat inline triple backticks as a fence', () => {
    expect(extractCodeBlocks('```js code```\nplain')).toEqual([]);
  });

  it('does not treat a fence indented by four spaces as a fence', () => {
    expect(extractCodeBlocks('    ```js\n    a()\n    ```')).toEqual([]);
  });

  it('removes the opening fence indentation from content lines', () => {
    const reply = '1. Step:\n   ```js\n   if (x) {\n     y();\n   }\n   ```';
    expect(extractCodeBlocks(reply)).toEqual([{ language: 'js', code: 'if (x) {\n  y();\n}' }]);
  });

  it('normalises CRLF line endings', () => {
    expect(extractCodeBlocks('```js\r\na()\r\nb()\r\n```\r\n')).toEqual([
      { language: 'js', code: 'a()\nb()' },
    ]);
  });

  it('returns an empty block as empty code', () => {
    expect(extractCodeBlocks('```js\n```')).toEqual([{ language: 'js', code: '' }]);
  });

  it('returns nothing for a reply without fences', () => {
    expect(extractCodeBlocks('FINAL(42)')).toEqual([]);
  });

  describe('properties', () => {
    const JS_TAGS = ['repl', 'js', 'JS', 'javascript', 'ts ', 'TypeScript', 'ts  '];
    const OTHER_TAGS = ['python', 'json', 'text', '', 'sh'];
    const fenceChar = fc.constantFrom('`', '~');
    const fenceLength = fc.integer({ min: 3, max: 6 });
    // Arbitrary text without line breaks, biased to start with fence-like characters.
    const textLine = fc
      .tuple(
        fc.string({ unit: fc.constantFrom('`', '~', ' ', '\t', 'a', '(', '"', 'é', '😀') }),
        fc.string({ unit: 'binary', maxLength: 20 }),
      )
      .map(([start, rest]) => (start + rest).replace(/[\r\n]/g, ' '));
    // Lines that are, or nearly are, fences of some length, character and indentation.
    const fenceLikeLine = fc
      .tuple(
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom('`', '~'),
        fc.integer({ min: 2, max: 7 }),
        fc.constantFrom('', ' ', '\t', 'js', ' x', '`'),
      )
      .map(([indent, char, count, rest]) => ' '.repeat(indent) + char.repeat(count) + rest);
    const anyLine = fc.oneof(textLine, fenceLikeLine);
    const proseLine = anyLine.filter((line) => !/^ {0,3}(```|~~~)/.test(line));

    /** Drops the lines CommonMark would read as the end of the block. */
    function codeFrom(lines: string[], char: string, length: number): string {
      const closing = new RegExp(`^ {0,3}[${char}]{${length},}[ \\t]*$`);
      return lines.filter((line) => !closing.test(line)).join('\n');
    }

    const block = fc
      .record({
        char: fenceChar,
        length: fenceLength,
        tag: fc.constantFrom(...JS_TAGS, ...OTHER_TAGS),
        lines: fc.array(anyLine, { maxLength: 6 }),
        prose: fc.array(proseLine, { maxLength: 3 }),
      })
      .map(({ char, length, tag, lines, prose }) => ({
        fence: char.repeat(length),
        tag,
        prose,
        code: codeFrom(lines, char, length),
      }));

    it('returns exactly the code wrapped in JavaScript and TypeScript fences, in order', () => {
      fc.assert(
        fc.property(
          fc.array(block, { maxLength: 5 }),
          fc.array(proseLine, { maxLength: 3 }),
          (blocks, tail) => {
            const reply = [
              ...blocks.flatMap(({ fence, tag, prose, code }) => [
                ...prose,
                fence + tag,
                code,
                fence,
              ]),
              ...tail,
            ].join('\n');
            const expected = blocks
              .filter(({ tag }) => JS_TAGS.includes(tag))
              .map(({ tag, code }) => ({ language: /^t/i.test(tag) ? 'ts' : 'js', code }));
            expect(extractCodeBlocks(reply)).toEqual(expected);
          },
        ),
      );
    });

    it('takes everything after an unclosed final fence', () => {
      fc.assert(
        fc.property(
          fc.array(proseLine, { maxLength: 3 }),
          fc.array(anyLine, { maxLength: 6 }),
          fenceChar,
          fenceLength,
          (prose, lines, char, length) => {
            const code = codeFrom(lines, char, length);
            const reply = [...prose, `${char.repeat(length)}js`, code].join('\n');
            expect(extractCodeBlocks(reply)).toEqual([{ language: 'js', code }]);
          },
        ),
      );
    });
  });

  it('for a Python REPL takes repl, python, python3 and py blocks and leaves JavaScript as prose', () => {
    const reply = [
      '```repl\na = 1\n```',
      '```js\nconst b = 2;\n```',
      '```python\nb = 2\n```',
      '```Python3 extra words\nc = 3\n```',
      '```py\nFINAL(a + b + c)\n```',
    ].join('\n');
    expect(extractCodeBlocks(reply, 'python')).toEqual([
      { language: 'python', code: 'a = 1' },
      { language: 'python', code: 'b = 2' },
      { language: 'python', code: 'c = 3' },
      { language: 'python', code: 'FINAL(a + b + c)' },
    ]);
    expect(extractCodeBlocks(reply, 'js').map((block) => block.code)).toEqual(['a = 1', 'const b = 2;']);
  });
});
