import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findTextFinal } from './text-final.ts';

describe('findTextFinal', () => {
  it('reads FINAL(value) on its own line', () => {
    expect(findTextFinal('I counted them.\nFINAL(42)')).toEqual({ kind: 'value', value: '42' });
  });

  it('allows leading whitespace and Markdown emphasis or backticks', () => {
    expect(findTextFinal('  FINAL(a)')).toEqual({ kind: 'value', value: 'a' });
    expect(findTextFinal('**FINAL(b)**')).toEqual({ kind: 'value', value: 'b' });
    expect(findTextFinal('`FINAL(c)`')).toEqual({ kind: 'value', value: 'c' });
    expect(findTextFinal('\tFINAL_VAR(d)')).toEqual({ kind: 'var', name: 'd' });
  });

  it('ignores mid-line mentions', () => {
    expect(findTextFinal('I will call FINAL(x) once I know x.')).toBeUndefined();
    expect(findTextFinal('Answer: FINAL_VAR(result)')).toBeUndefined();
  });

  it('ignores FINAL inside fenced code blocks of any language', () => {
    const reply = ['```repl', 'FINAL(summary)', '```', '~~~text', 'FINAL_VAR(other)', '~~~'].join(
      '\n',
    );
    expect(findTextFinal(reply)).toBeUndefined();
  });

  it('ignores FINAL inside an unclosed code block', () => {
    expect(findTextFinal('```js\nconst a = 1;\nFINAL(a)')).toBeUndefined();
  });

  it('finds FINAL after a code block', () => {
    const reply = '```js\nFINAL("from code")\n```\nFINAL(from text)';
    expect(findTextFinal(reply)).toEqual({ kind: 'value', value: 'from text' });
  });

  it('returns the first FINAL or FINAL_VAR line in the reply', () => {
    expect(findTextFinal('FINAL_VAR(a)\nFINAL(b)')).toEqual({ kind: 'var', name: 'a' });
    expect(findTextFinal('FINAL(b)\nFINAL_VAR(a)')).toEqual({ kind: 'value', value: 'b' });
  });

  it('reads a FINAL spanning several lines up to the matching parenthesis', () => {
    const reply =
      'Done.\nFINAL(The three causes are:\n1. heat\n2. drought (mostly)\n3. wind)\nThanks!';
    expect(findTextFinal(reply)).toEqual({
      kind: 'value',
      value: 'The three causes are:\n1. heat\n2. drought (mostly)\n3. wind',
    });
  });

  it('balances nested parentheses', () => {
    expect(findTextFinal('FINAL(f(g(x)) and (y))')).toEqual({
      kind: 'value',
      value: 'f(g(x)) and (y)',
    });
  });

  it('ends an unbalanced FINAL at the last closing parenthesis', () => {
    expect(findTextFinal('FINAL(about 5 (give or take)\nok)')).toEqual({
      kind: 'value',
      value: 'about 5 (give or take)\nok',
    });
    expect(findTextFinal('FINAL(a (b) (c)')).toEqual({ kind: 'value', value: 'a (b) (c' });
  });

  it('runs an unclosed FINAL to the end of the reply', () => {
    expect(findTextFinal('FINAL(The answer is 7')).toEqual({
      kind: 'value',
      value: 'The answer is 7',
    });
  });

  it('strips one layer of quotes from a quoted value', () => {
    expect(findTextFinal('FINAL("Paris")')).toEqual({ kind: 'value', value: 'Paris' });
    expect(findTextFinal("FINAL('Paris')")).toEqual({ kind: 'value', value: 'Paris' });
    expect(findTextFinal('FINAL(`Paris`)')).toEqual({ kind: 'value', value: 'Paris' });
    expect(findTextFinal('FINAL(""Paris"")')).toEqual({ kind: 'value', value: '""Paris""' });
    expect(findTextFinal('FINAL("""Paris\nFrance""")')).toEqual({
      kind: 'value',
      value: 'Paris\nFrance',
    });
  });

  it('unescapes JSON escapes in double-quoted values', () => {
    expect(findTextFinal('FINAL("say \\"hi\\"\\nbye")')).toEqual({
      kind: 'value',
      value: 'say "hi"\nbye',
    });
  });

  it('does not end a quoted value at a parenthesis inside the quotes', () => {
    expect(findTextFinal('FINAL("done :)")')).toEqual({ kind: 'value', value: 'done :)' });
  });

  it('keeps quotes that do not wrap the whole value', () => {
    expect(findTextFinal('FINAL("a" and "b")')).toEqual({ kind: 'value', value: '"a" and "b"' });
    expect(findTextFinal("FINAL('tis the season)")).toEqual({
      kind: 'value',
      value: "'tis the season",
    });
  });

  it('trims whitespace around the value and accepts an empty one', () => {
    expect(findTextFinal('FINAL(\n  42\n)')).toEqual({ kind: 'value', value: '42' });
    expect(findTextFinal('FINAL()')).toEqual({ kind: 'value', value: '' });
  });

  it('reads FINAL_VAR with a bare or quoted name', () => {
    expect(findTextFinal('FINAL_VAR(result)')).toEqual({ kind: 'var', name: 'result' });
    expect(findTextFinal('FINAL_VAR("result")')).toEqual({ kind: 'var', name: 'result' });
    expect(findTextFinal("FINAL_VAR( 'final_answer' )")).toEqual({
      kind: 'var',
      name: 'final_answer',
    });
  });

  it('skips a FINAL_VAR without a name', () => {
    expect(findTextFinal('FINAL_VAR()\nFINAL(x)')).toEqual({ kind: 'value', value: 'x' });
    expect(findTextFinal('FINAL_VAR("")')).toBeUndefined();
  });

  it('handles CRLF replies', () => {
    expect(findTextFinal('text\r\nFINAL(yes)\r\n')).toEqual({ kind: 'value', value: 'yes' });
  });

  it('returns undefined when there is no final answer', () => {
    expect(findTextFinal('Let me look at the context first.')).toBeUndefined();
    expect(findTextFinal('')).toBeUndefined();
    expect(findTextFinal('final(42)')).toBeUndefined();
  });

  describe('properties', () => {
    // Strings rich in the characters the parser reacts to.
    const replyish = fc.string({
      unit: fc.oneof(
        fc.constantFrom('FINAL(', 'FINAL_VAR(', '(', ')', '"', "'", '`', '\\', '\n', '\r', ' '),
        fc.constantFrom('```', '~~~', '```js\n', '**', 'x', '😀'),
        fc.string({ unit: 'binary', maxLength: 2 }),
      ),
      maxLength: 40,
    });

    it('never throws on arbitrary strings', () => {
      fc.assert(
        fc.property(fc.oneof(replyish, fc.string({ unit: 'binary' })), (reply) => {
          findTextFinal(reply);
        }),
      );
    });

    it('finds a FINAL line with any unquoted, parenthesis-free value', () => {
      const value = fc
        .string({ unit: 'binary', maxLength: 30 })
        .map((text) => text.replace(/[()\r\n]/g, ' ').trim())
        .filter((text) => !/^["'`]/.test(text));
      fc.assert(
        fc.property(value, (text) => {
          expect(findTextFinal(`Reasoning.\nFINAL(${text})\nBye.`)).toEqual({
            kind: 'value',
            value: text,
          });
        }),
      );
    });
  });
});
