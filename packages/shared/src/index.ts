export { assertNever, deserializeError, isRlmError, RlmError, serializeError } from './errors.ts';
export type { ErrorCode, RlmErrorOptions, SerializedError } from './errors.ts';
export { canonicalJson, hashValue, sha256Hex } from './hashing.ts';
export { addUsage, ZERO_USAGE } from './llm.ts';
export type { ChatMessage, ChatRole, CompletionRequest, CompletionResponse, TokenUsage } from './llm.ts';
export {
  CHILD_QUERY,
  CONTEXT_PREVIEW_CHARS,
  DEFAULT_OUTPUT_LIMIT_CHARS,
  QUESTION_HEADER,
  SubcallOptions,
} from './protocol.ts';
export type {
  ContextValue,
  JsonValue,
  ReplResetReason,
  StepError,
  StepResult,
  VariableInfo,
} from './protocol.ts';
export { countMessageTokens, countTokens } from './tokenizer.ts';
