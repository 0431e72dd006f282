/**
 * The code a reply asks the REPL to run: every fenced block tagged with the
 * session's REPL language, in reply order (DESIGN section 2): JavaScript or
 * TypeScript for a JavaScript REPL, Python for a Python one. Blocks in other
 * languages are prose to us (a model quoting JSON is not asking for it to run),
 * and so are bare fences without a language.
 */
import type { ReplLanguage } from '@rlm/shared';
import { scanMarkdown } from './markdown-fences.ts';

export type CodeLanguage = 'js' | 'ts' | 'python';

export interface CodeBlock {
  readonly language: CodeLanguage;
  readonly code: string;
}

// `repl` is the reference implementation's tag; models trained on its
// trajectories keep using it, so it means the session's REPL language.
const LANGUAGE_BY_TAG: Readonly<Record<ReplLanguage, ReadonlyMap<string, CodeLanguage>>> = {
  js: new Map([
    ['repl', 'js'],
    ['js', 'js'],
    ['javascript', 'js'],
    ['ts', 'ts'],
    ['typescript', 'ts'],
  ]),
  python: new Map([
    ['repl', 'python'],
    ['python', 'python'],
    ['python3', 'python'],
    ['py', 'python'],
  ]),
};

export function extractCodeBlocks(reply: string, repl: ReplLanguage = 'js'): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const segment of scanMarkdown(reply)) {
    if (segment.kind !== 'fence') continue;
    const language = languageOf(segment.info, repl);
    if (language !== undefined) blocks.push({ language, code: segment.content });
  }
  return blocks;
}

/** The language is the info string's first word, as CommonMark renderers read it. */
function languageOf(info: string, repl: ReplLanguage): CodeLanguage | undefined {
  const tag = info.split(/\s+/, 1)[0] ?? '';
  return LANGUAGE_BY_TAG[repl].get(tag.toLowerCase());
}
