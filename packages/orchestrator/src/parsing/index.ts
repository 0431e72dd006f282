export { extractCodeBlocks } from './code-blocks.ts';
export type { CodeBlock, CodeLanguage } from './code-blocks.ts';
export { stripTypes } from './strip-types.ts';
export { findTextFinal } from './text-final.ts';
export type { TextFinal } from './text-final.ts';
export { truncateOutput } from './truncate-output.ts';
