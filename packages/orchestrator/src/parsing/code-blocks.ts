/**
 * The code a reply asks the REPL to run: every fenced block tagged as
 * JavaScript or TypeScript, in reply order (DESIGN section 2). Blocks in other
 * languages are prose to us (a model quoting JSON or Python is not asking for
 * it to run), and so are bare fences without a language.
 */
import { scanMarkdown } from './markdown-fences.ts';

export type CodeLanguage = 'js' | 'ts';

export interface CodeBlock {
  readonly language: CodeLanguage;
  readonly code: string;
}

// `repl` is the reference implementation's tag; models trained on its
// trajectories keep using it, so it means JavaScript here.
const LANGUAGE_BY_TAG: ReadonlyMap<string, CodeLanguage> = new Map([
  ['repl', 'js'],
  ['js', 'js'],
  ['javascript', 'js'],
  ['ts', 'ts'],
  ['typescript', 'ts'],
]);

export function extractCodeBlocks(reply: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const segment of scanMarkdown(reply)) {
    if (segment.kind !== 'fence') continue;
    const language = languageOf(segment.info);
    if (language !== undefined) blocks.push({ language, code: segment.content });
  }
  return blocks;
}

/** The language is the info string's first word, as CommonMark renderers read it. */
function languageOf(info: string): CodeLanguage | undefined {
  const tag = info.split(/\s+/, 1)[0] ?? '';
  return LANGUAGE_BY_TAG.get(tag.toLowerCase());
}
