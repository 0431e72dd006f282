export { assertNever, deserializeError, isRlmError, RlmError, serializeError } from './errors.ts';
export type { RlmErrorOptions } from './errors.ts';
export { ERROR_CODES } from './error-codes.ts';
export type { ErrorCode } from './error-codes.ts';
export { canonicalJson, hashValue, sha256Hex } from './hashing.ts';
export { addSpend, addUsage, ZERO_SPEND, ZERO_USAGE } from './llm.ts';
export type { LlmProvider } from './llm.ts';
export {
  CHILD_QUERY,
  CONTEXT_PREVIEW_CHARS,
  DEFAULT_MAX_ANSWER_CHARS,
  CONTEXT_TAIL_CHARS,
  EMBEDDED_QUERY,
  DEFAULT_OUTPUT_LIMIT_CHARS,
  FORCED_FINAL_MESSAGE,
  QUESTION_HEADER,
  ReplLanguage,
  SubcallOptions,
} from './protocol.ts';
export type { ContextValue, JsonValue } from './protocol.ts';
export { countMessageTokens, countTokens } from './tokenizer.ts';
export { LocalLedger } from './budget/ledger.ts';
export type { BudgetLimits, Ledger, LedgerTotals, Reservation, ReserveOutcome } from './budget/ledger.ts';
export { LocalLimiter } from './budget/limiter.ts';
export type { Limiter } from './budget/limiter.ts';
export { LocalRequestRuntime } from './budget/request-runtime.ts';
export { stepStopId, stepStopIdOfCall } from './step-stop.ts';
export {
  createRequestCapacity,
  DEFAULT_MAX_PENDING_SUBCALLS,
  DEFAULT_MAX_PENDING_PROMPT_CHARS,
  DEFAULT_MAX_REQUEST_SANDBOX_MB,
  PendingSubcalls,
  SandboxMemoryBudget,
} from './budget/request-capacity.ts';
export type { RequestCapacity } from './budget/request-capacity.ts';
export type { LocalRuntimeOptions, RequestRuntime } from './budget/request-runtime.ts';
export { ENV_SETTINGS, EngineConfig, loadConfig, redisTargetOf, settingLabel } from './config.ts';
export type { ConfigSources, EngineConfigInput } from './config.ts';
export type { CompletionPort, Dispatcher, ResultCache, SessionCheckpoint, SessionStore, StepPort } from './dispatch.ts';
export type {
  CompactionEvent,
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
  ToolEndEvent,
} from './events.ts';
export { RESERVED_TOOL_NAMES, toolNameProblem, ToolSpec } from './tools/tool-spec.ts';
export type { ToolCallOutcome, ToolCallRequest, ToolCaller } from './tools/tool-spec.ts';
export { contextWindowOf, DEFAULT_CONTEXT_WINDOW, KNOWN_CONTEXT_WINDOWS } from './model-windows.ts';
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
  ConversationStateStore,
} from './cluster-ports.ts';
export { describeContext } from './context-metadata.ts';
export {
  BlobContextRef,
  ChatMessage,
  ChatRole,
  CompletionRequest,
  CompletionResponse,
  ContextMetadata,
  ContextRef,
  LlmCallOutcome,
  LlmCallTask,
  ConversationExchange,
  ConversationScope,
  ReplResetReason,
  SerializedError,
  SessionOutcome,
  SessionSettings,
  SessionTask,
  Spend,
  StepError,
  StepResult,
  StepTask,
  StopReason as StopReasonSchema,
  TokenUsage,
  VariableInfo,
} from './jobs/task-schemas.ts';
export {
  INLINE_MESSAGE_LIMIT_CHARS,
  JOB_CATALOG,
  JOB_KINDS,
  JOB_RETENTION,
  JOB_SCHEMA_VERSION,
  MAX_QUEUE_DEPTH,
  RootScope,
  WireLlmCallTask,
  WireMessage,
  WireSessionTask,
  WireStepTask,
} from './jobs/job-catalog.ts';
export type { JobKind, JobOutcome, JobPayload, JobSpec, ResultOf, TaskOf, WireTaskOf } from './jobs/job-catalog.ts';
export { decodeTask, encodeTask, storeContextValue } from './jobs/wire-codec.ts';
export { createJobProcessor } from './jobs/job-processor.ts';
export type { JobHandler, JobProcessor, JobProcessorDeps } from './jobs/job-processor.ts';
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
export { SCRUBBED, scrubbableSecrets, scrubSecrets } from './scrub-secrets.ts';
export { untilAborted } from './until-aborted.ts';
export {
  NO_SNAPSHOT_FLAG,
  nodeSnapshotDisabled,
  SNAPSHOT_FLAG_MISSING,
  SUPPORTED_NODE_RANGE,
  unsupportedNodeMessage,
} from './node-support.ts';
