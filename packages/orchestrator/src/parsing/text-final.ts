/**
 * The paper's plain-text way to finish: a line of prose that starts with
 * `FINAL(answer)` or `FINAL_VAR(name)` (DESIGN section 2).
 *
 * Only lines outside fenced code count: inside a ```repl block FINAL is a
 * function the code calls, and inside any other block it is being quoted.
 * Mid-line mentions ("I will call FINAL(x) once I know x") are talk about the
 * answer, not the answer, so the line must start with it, allowing leading
 * whitespace and Markdown emphasis or a backtick (`**FINAL(42)**`).
 * The first such line in the reply wins.
 */
import { scanMarkdown } from './markdown-fences.ts';

export type TextFinal =
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'var'; readonly name: string };

const FINAL_LINE = /^[ \t]*(?:[*_`]{1,3}[ \t]*)?(FINAL_VAR|FINAL)\(/;
const QUOTES = new Set(['"', "'", '`']);

/** Never throws; returns undefined when the reply declares no final answer. */
export function findTextFinal(reply: string): TextFinal | undefined {
  for (const segment of scanMarkdown(reply)) {
    if (segment.kind !== 'text') continue;
    for (const line of segment.lines) {
      const match = FINAL_LINE.exec(line.text);
      if (match === null) continue;
      const openParen = line.offset + match[0].length - 1;
      const argument = readArgument(reply, openParen);
      if (match[1] === 'FINAL') return { kind: 'value', value: argument };
      // The name is not checked against identifier syntax: the REPL looks it
      // up and tells the model when no such variable exists, which helps more
      // than silently ignoring the line.
      if (argument !== '') return { kind: 'var', name: argument };
    }
  }
  return undefined;
}

/**
 * The argument may run over several lines. A quoted string followed by `)`
 * is taken whole, so parentheses inside it ("done :)") do not end it early.
 * Otherwise parentheses are balanced; if they never balance (a cut-off reply
 * or a stray smiley), the argument ends at the last `)` in the reply, or at
 * the end of the reply when there is none.
 */
function readArgument(reply: string, openParen: number): string {
  const start = openParen + 1;
  const quoted = readQuotedArgument(reply, start);
  if (quoted !== undefined) return quoted;
  const lastParen = reply.lastIndexOf(')');
  const end =
    findMatchingParen(reply, openParen) ?? (lastParen > openParen ? lastParen : reply.length);
  return unquote(reply.slice(start, end).trim());
}

function readQuotedArgument(reply: string, start: number): string | undefined {
  const literalStart = skipWhitespace(reply, start);
  const span = quotedSpan(reply, literalStart);
  if (span === undefined || reply[skipWhitespace(reply, span.end)] !== ')') return undefined;
  return unquote(reply.slice(literalStart, span.end));
}

function findMatchingParen(text: string, openParen: number): number | undefined {
  let depth = 0;
  for (let index = openParen; index < text.length; index += 1) {
    const char = text[index];
    if (char === '(') depth += 1;
    else if (char === ')' && --depth === 0) return index;
  }
  return undefined;
}

/** Removes one layer of quotes when the whole value is a single quoted string. */
function unquote(value: string): string {
  const span = quotedSpan(value, 0);
  if (span === undefined || span.end !== value.length) return value;
  const quote = value.slice(0, span.delimiter);
  if (quote === '"') {
    // Models write JSON-style escapes (\n, \") in double-quoted answers.
    try {
      return JSON.parse(value) as string;
    } catch {
      // Not valid JSON (a raw newline, say): fall back to the text between the quotes.
    }
  }
  const inner = value.slice(span.delimiter, value.length - span.delimiter);
  return span.delimiter === 1 ? inner.replaceAll(`\\${quote}`, quote) : inner;
}

interface QuotedSpan {
  /** Index just past the closing quote. */
  readonly end: number;
  /** 1 for "x", 'x' and `x`; 3 for Python-style """x""" and '''x'''. */
  readonly delimiter: number;
}

function quotedSpan(text: string, start: number): QuotedSpan | undefined {
  const quote = text[start];
  if (quote === undefined || !QUOTES.has(quote)) return undefined;
  const triple = quote.repeat(3);
  if (quote !== '`' && text.startsWith(triple, start)) {
    const close = text.indexOf(triple, start + 3);
    return close === -1 ? undefined : { end: close + 3, delimiter: 3 };
  }
  for (let index = start + 1; index < text.length; index += 1) {
    const char = text[index];
    if (char === '\\') index += 1;
    else if (char === quote) return { end: index + 1, delimiter: 1 };
  }
  return undefined;
}

function skipWhitespace(text: string, index: number): number {
  let position = index;
  while (position < text.length && /\s/.test(text[position] ?? '')) position += 1;
  return position;
}
