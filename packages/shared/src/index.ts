export { assertNever, deserializeError, isRlmError, RlmError, serializeError } from './errors.ts';
export type { ErrorCode, RlmErrorOptions, SerializedError } from './errors.ts';
export { canonicalJson, hashValue, sha256Hex } from './hashing.ts';
export { addUsage, ZERO_USAGE } from './llm.ts';
export type { ChatMessage, ChatRole, CompletionRequest, CompletionResponse, TokenUsage } from './llm.ts';
export {
  CHILD_QUERY,
  CONTEXT_PREVIEW_CHARS,
  CONTEXT_TAIL_CHARS,
  EMBEDDED_QUERY,
  DEFAULT_OUTPUT_LIMIT_CHARS,
  FORCED_FINAL_MESSAGE,
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
export { LocalLedger } from './budget/ledger.ts';
export type { BudgetLimits, Ledger, LedgerTotals, Reservation, ReserveOutcome } from './budget/ledger.ts';
export { LocalLimiter } from './budget/limiter.ts';
export type { Limiter } from './budget/limiter.ts';
export { LocalRequestRuntime } from './budget/request-runtime.ts';
export type { LocalRuntimeOptions, RequestRuntime } from './budget/request-runtime.ts';
export { ENV_SETTINGS, EngineConfig, loadConfig, redisTargetOf, settingLabel } from './config.ts';
export type { ConfigSources, EngineConfigInput } from './config.ts';
export type {
  CompletionPort,
  ContextRef,
  Dispatcher,
  LlmCallOutcome,
  LlmCallTask,
  ResultCache,
  SessionCheckpoint,
  SessionOutcome,
  SessionSettings,
  SessionStore,
  SessionTask,
  StepPort,
  StepTask,
} from './dispatch.ts';
export type {
  CompletionEndEvent,
  IterationEndEvent,
  IterationStartEvent,
  RlmEvent,
  RlmEventListener,
  SessionEndEvent,
  SessionStartEvent,
  StepEndEvent,
  StepStartEvent,
  SubcallEndEvent,
  SubcallStartEvent,
} from './events.ts';
export type { RequestResult, RequestUsage } from './request-result.ts';
export { TRAJECTORY_VERSION } from './trajectory.ts';
export type {
  TrajectoryEvent,
  TrajectoryMetadata,
  TrajectoryRecord,
  TrajectoryResult,
  TrajectoryResultRecord,
} from './trajectory.ts';
export { costOf, DEFAULT_PRICES, ModelPrice, PriceTable, priceOf } from './pricing.ts';
export { STOP_REASONS } from './stop-reason.ts';
export type { InterruptReason, StopReason } from './stop-reason.ts';
export type {
  BlobStore,
  CallCoalescer,
  CancellationBus,
  RateGate,
  RateLimits,
  RuntimeFactory,
  StepRecord,
  StepRecordStore,
} from './cluster-ports.ts';
export { describeContext } from './context-metadata.ts';
export type { ContextMetadata } from './context-metadata.ts';
export {
  INLINE_MESSAGE_LIMIT_CHARS,
  JOB_IDS,
  JOB_RETENTION,
  JOB_SCHEMA_VERSION,
  LlmJobData,
  LlmJobResult,
  MAX_QUEUE_DEPTH,
  QUEUE_NAMES,
  RootScope,
  SessionJobData,
  SessionJobResult,
  StepJobData,
  StepJobResult,
  TraceCarrierSchema,
  WireMessage,
} from './jobs/job-catalog.ts';
export { AGENT_NAME, ATTR, CONTENT_LIMIT_CHARS, PROVIDER_NAME, SPAN_NAMES, truncateContent } from './telemetry/attributes.ts';
export { errorType, markError, TRACER_NAME, withSpan } from './telemetry/with-span.ts';
export type { WithSpanOptions } from './telemetry/with-span.ts';
export {
  extractTraceContext,
  formatTraceparent,
  injectTraceContext,
  parseTraceparent,
} from './telemetry/trace-carrier.ts';
export type { TraceCarrier } from './telemetry/trace-carrier.ts';
export { withLinkedRootSpan } from './telemetry/linked-root.ts';
export type { LinkedRootOptions } from './telemetry/linked-root.ts';
export { withJobSpan } from './telemetry/job-span.ts';
export type { TracedJob } from './telemetry/job-span.ts';
export { composeQuery, INSTRUCTIONS_HEADER, isEmbeddedQuery } from './request-query.ts';
export { SCRUBBED, scrubSecrets } from './scrub-secrets.ts';
