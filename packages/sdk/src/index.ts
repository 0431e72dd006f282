export { RLM } from './rlm.ts';
export type { CompletionOptions, RLMOptions } from './rlm.ts';
export type { RlmResult } from './rlm-result.ts';
