// Must stay the first import: it checks the Node version before anything else runs.
import './node-guard.ts';
export { RLM } from './rlm.ts';
export type { CompletionOptions, RequestOverrides, RLMOptions } from './rlm.ts';
export { Conversation } from './conversation.ts';
export type { AskOptions, ConversationOptions } from './conversation.ts';
export type { RlmResult } from './rlm-result.ts';
export type { CallerTool, CallerTools, ToolCallContext } from './tools/caller-tools.ts';
export { runBatch } from './batch/run-batch.ts';
export type { BatchOptions, BatchPlan } from './batch/run-batch.ts';
export type { BatchRecord } from './batch/batch-record.ts';
export { itemsFromTexts, readBatchItems } from './batch/batch-item.ts';
export type { BatchItem } from './batch/batch-item.ts';
export type { OutputSync } from './batch/output-log.ts';
export { assertPricedForBudget } from './price-check.ts';
