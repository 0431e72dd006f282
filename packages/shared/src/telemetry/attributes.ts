/**
 * Span attribute and span name constants: the one place that spells them.
 * GenAI names follow the OpenTelemetry GenAI semantic conventions (DESIGN
 * section 3); `rlm.*` names are ours; `messaging.*` are the OTel messaging
 * conventions for queue hops.
 */
export const ATTR = {
  // GenAI conventions
  genAiOperationName: 'gen_ai.operation.name',
  genAiProviderName: 'gen_ai.provider.name',
  genAiRequestModel: 'gen_ai.request.model',
  genAiResponseModel: 'gen_ai.response.model',
  genAiRequestMaxTokens: 'gen_ai.request.max_tokens',
  genAiRequestTemperature: 'gen_ai.request.temperature',
  genAiResponseFinishReasons: 'gen_ai.response.finish_reasons',
  genAiInputTokens: 'gen_ai.usage.input_tokens',
  genAiOutputTokens: 'gen_ai.usage.output_tokens',
  genAiCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  genAiAgentName: 'gen_ai.agent.name',
  genAiToolName: 'gen_ai.tool.name',
  genAiConversationId: 'gen_ai.conversation.id',
  /** Opt-in content (`recordContent`): the prompt messages and the completion, truncated. */
  genAiInputMessages: 'gen_ai.input.messages',
  genAiOutputMessages: 'gen_ai.output.messages',
  errorType: 'error.type',
  // Ours
  rlmRootId: 'rlm.root.id',
  batchPairs: 'rlm.batch.pairs',
  batchDocumentId: 'rlm.batch.document.id',
  batchPairKey: 'rlm.batch.pair.key',
  rlmSessionId: 'rlm.session.id',
  rlmParentSessionId: 'rlm.parent_session.id',
  rlmDepth: 'rlm.depth',
  rlmIteration: 'rlm.iteration',
  rlmIterations: 'rlm.iterations',
  rlmStopReason: 'rlm.stop_reason',
  rlmCallId: 'rlm.call.id',
  rlmCallPurpose: 'rlm.call.purpose',
  rlmCacheHit: 'rlm.cache.hit',
  rlmCacheSource: 'rlm.cache.source',
  rlmStep: 'rlm.step',
  rlmSubcallKind: 'rlm.subcall.kind',
  rlmToolError: 'rlm.tool.error',
  rlmReplDurationMs: 'rlm.repl.duration_ms',
  rlmReplOutputChars: 'rlm.repl.output_chars',
  rlmReplReset: 'rlm.repl.reset',
  rlmReplFinal: 'rlm.repl.final',
  rlmCodeBlocks: 'rlm.code_blocks',
  /** On `invoke_agent`: USD and provider calls of the session's whole subtree (gen_ai.usage.* holds its tokens). */
  rlmCostUsd: 'rlm.usage.cost_usd',
  rlmCalls: 'rlm.usage.calls',
  /** Opt-in content: the REPL code of a step, its output, the session's query and answer. */
  rlmReplCode: 'rlm.repl.code',
  rlmReplOutput: 'rlm.repl.output',
  rlmQuery: 'rlm.query',
  rlmAnswer: 'rlm.answer',
  // Messaging conventions (queue hops)
  messagingSystem: 'messaging.system',
  messagingOperationType: 'messaging.operation.type',
  messagingDestinationName: 'messaging.destination.name',
  messagingMessageId: 'messaging.message.id',
} as const;

export const SPAN_NAMES = {
  /** The caller's side of one root request (SDK / CLI): the root of the trace. */
  request: 'rlm request',
  session: 'invoke_agent rlm',
  iteration: (iteration: number) => `iteration ${iteration}`,
  chat: (model: string) => `chat ${model}`,
  replStep: 'execute_tool repl',
  subcall: (kind: 'llm' | 'rlm') => `${kind}_query`,
  /** One call of a caller tool from REPL code. */
  tool: (name: string) => `execute_tool ${name}`,
  publish: (queue: string) => `send ${queue}`,
  process: (queue: string) => `process ${queue}`,
  /** A whole batch run: the span every document's trace links back to. */
  batch: 'rlm batch',
  /** One (document, query) pair of a batch: the root of its own trace. */
  batchPair: 'rlm batch pair',
} as const;

/** The agent name on session spans (`invoke_agent rlm`). */
export const AGENT_NAME = 'rlm';
/** `gen_ai.provider.name` of calls through the OpenAI-compatible client. */
export const PROVIDER_NAME = 'openai';

/** Longest recorded content attribute, in characters; longer values are cut and marked. */
export const CONTENT_LIMIT_CHARS = 4_096;

/** Truncates opt-in content so spans stay small. */
export function truncateContent(text: string, limit = CONTENT_LIMIT_CHARS): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}... [${text.length - limit} more chars]`;
}
