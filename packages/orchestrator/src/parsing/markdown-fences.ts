/**
 * Splits a model reply into prose and fenced code blocks, following the
 * CommonMark rules for fences (spec section 4.5) closely enough that a reply
 * rendered by any Markdown viewer shows the same blocks the engine runs:
 *
 * - an opening fence is 0-3 spaces, then at least three backticks or tildes,
 *   then an info string (a backtick fence's info string may not contain a
 *   backtick, otherwise the line is inline code such as ```x```);
 * - the block ends at a line of 0-3 spaces and at least as many of the same
 *   fence character, followed only by spaces or tabs;
 * - an unclosed fence runs to the end of the reply (models get cut off);
 * - up to the opening fence's indentation is removed from each content line.
 *
 * Block quotes and list containers are not modelled: replies put code at the
 * top level, and a fence indented by 1-3 spaces inside a list still parses.
 */

/** One line of the reply, with where it starts so callers can read on past it. */
export interface SourceLine {
  readonly text: string;
  readonly offset: number;
}

export type MarkdownSegment =
  | { readonly kind: 'text'; readonly lines: readonly SourceLine[] }
  | {
      readonly kind: 'fence';
      /** The info string, trimmed; '' for a bare fence. */
      readonly info: string;
      /** Content lines joined with '\n' (line endings are normalised). */
      readonly content: string;
      readonly closed: boolean;
    };

interface OpeningFence {
  readonly indent: number;
  readonly char: '`' | '~';
  readonly length: number;
  readonly info: string;
}

const OPENING_FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const CLOSING_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
// CommonMark line endings: LF, CRLF and a lone CR.
const LINE_ENDING = /\r\n|\r|\n/g;

export function splitLines(text: string): SourceLine[] {
  const lines: SourceLine[] = [];
  let start = 0;
  for (const match of text.matchAll(LINE_ENDING)) {
    lines.push({ text: text.slice(start, match.index), offset: start });
    start = match.index + match[0].length;
  }
  lines.push({ text: text.slice(start), offset: start });
  return lines;
}

export function scanMarkdown(text: string): MarkdownSegment[] {
  const segments: MarkdownSegment[] = [];
  let prose: SourceLine[] = [];
  let fence: OpeningFence | undefined;
  let content: string[] = [];

  for (const line of splitLines(text)) {
    if (fence === undefined) {
      const opening = parseOpeningFence(line.text);
      if (opening === undefined) {
        prose.push(line);
        continue;
      }
      if (prose.length > 0) segments.push({ kind: 'text', lines: prose });
      prose = [];
      fence = opening;
      content = [];
    } else if (isClosingFence(line.text, fence)) {
      segments.push({ kind: 'fence', info: fence.info, content: content.join('\n'), closed: true });
      fence = undefined;
    } else {
      content.push(removeIndent(line.text, fence.indent));
    }
  }

  if (fence !== undefined) {
    segments.push({ kind: 'fence', info: fence.info, content: content.join('\n'), closed: false });
  } else if (prose.length > 0) {
    segments.push({ kind: 'text', lines: prose });
  }
  return segments;
}

function parseOpeningFence(line: string): OpeningFence | undefined {
  const match = OPENING_FENCE.exec(line);
  if (match === null) return undefined;
  const [, indent = '', marker = '', rest = ''] = match;
  const char = marker.startsWith('`') ? '`' : '~';
  if (char === '`' && rest.includes('`')) return undefined;
  return { indent: indent.length, char, length: marker.length, info: rest.trim() };
}

function isClosingFence(line: string, fence: OpeningFence): boolean {
  const marker = CLOSING_FENCE.exec(line)?.[1];
  return marker !== undefined && marker.startsWith(fence.char) && marker.length >= fence.length;
}

function removeIndent(line: string, indent: number): string {
  let removed = 0;
  while (removed < indent && line[removed] === ' ') removed += 1;
  return line.slice(removed);
}
