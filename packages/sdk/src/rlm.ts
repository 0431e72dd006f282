/**
 * The SDK entry point: `new RLM(options).completion(context, query)`.
 * Embedded mode: the session loop, the REPL isolates and the LLM calls all run
 * in this process. One RLM instance shares its result cache across requests.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EmbeddedDispatcher } from '@rlm/orchestrator';
import {
  createRequestCapacity,
  composeQuery,
  contextWindowOf,
  loadConfig,
  LocalLedger,
  redisTargetOf,
  LocalLimiter,
  LocalRequestRuntime,
  nodeSnapshotDisabled,
  RlmError,
  SNAPSHOT_FLAG_MISSING,
} from '@rlm/shared';
import type {
  ContextValue,
  ConversationScope,
  EngineConfig,
  ResultCache,
  RlmEvent,
  RlmEventListener,
  SessionSettings,
  TrajectoryMetadata,
} from '@rlm/shared';
import {
  LiveStepExecutor,
  LlmGateway,
  LocalCallCoalescer,
  MemoryResultCache,
  OpenAIProvider,
} from '@rlm/worker';
import type { LlmProvider } from '@rlm/shared';
import { ClusterClient } from './cluster-client.ts';
import { Conversation } from './conversation.ts';
import type { ConversationOptions } from './conversation.ts';
import { withinDeadline } from './deadline-backstop.ts';
import {
  assertKnownOptions,
  assertKnownRequestOptions,
  COMPLETION_KEYS,
  CONVERSATION_KEYS,
} from './known-options.ts';
import type { REQUEST_OVERRIDE_KEYS } from './known-options.ts';
import { assertPricedForBudget } from './price-check.ts';
import { withRequestSpan } from './request-span.ts';
import { toRlmResult } from './rlm-result.ts';
import { buildTrajectoryMetadata } from './trajectory-metadata.ts';
import { prepareTools } from './tools/caller-tools.ts';
import type { CallerTools, PreparedTool } from './tools/caller-tools.ts';
import { LocalToolCaller } from './tools/local-tool-caller.ts';
import type { RlmResult } from './rlm-result.ts';

/**
 * Settings as code passes them: the parsed types (`maxDepth: 2`, not `'2'`).
 * The config schema coerces strings from flags and the environment, so its
 * input type is too loose to catch a wrong option at compile time.
 */
export interface RLMOptions extends Omit<Partial<EngineConfig>, 'redisClusterNodes'> {
  /** Redis Cluster seed nodes: `host:port` strings, or one comma-separated string. */
  readonly redisClusterNodes?: string | readonly string[];
  /** Cluster mode key prefix (with `redisUrl` or `redisClusterNodes`); default `rlm`. */
  readonly redisPrefix?: string;
  /** Environment to read OPENAI_API_KEY, OPENAI_BASE_URL, RLM_MODEL, ... from; defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Replaces the OpenAI-compatible provider (tests, custom transports). */
  readonly provider?: LlmProvider;
  /** Replaces the in-memory sub-call result cache. */
  readonly cache?: ResultCache;
  /** Progress events of every request made through this instance. */
  readonly onEvent?: RlmEventListener;
  /**
   * The caller's tools: async functions in the REPL (`await lookup_customer({ id: 7 })`) whose
   * handlers run in this process, also in cluster mode. Names must be identifiers that shadow
   * nothing the REPL defines; arguments are validated against `parameters` before the handler runs.
   */
  readonly tools?: CallerTools;
}

/** Settings one request may change (the HTTP server's per-request model and budgets); validated like the constructor's. */
export type RequestOverrides = Partial<Pick<EngineConfig, (typeof REQUEST_OVERRIDE_KEYS)[number]>>;

export interface CompletionOptions {
  /** Aborting cancels the whole tree; the result has stopReason "cancelled". */
  readonly signal?: AbortSignal;
  readonly onEvent?: RlmEventListener;
  /** This request's model and budgets, over the instance's configuration. */
  readonly overrides?: RequestOverrides;
  /** Instructions for the root model about how to answer (a chat caller's system message); they travel with the query. */
  readonly instructions?: string;
}

export class RLM {
  readonly config: EngineConfig;
  private readonly dispatcher: EmbeddedDispatcher;
  private readonly steps: LiveStepExecutor;
  private readonly onEvent: RlmEventListener | undefined;
  private readonly cluster: ClusterClient | undefined;
  /** The caller's tools, checked and compiled; empty without tools. */
  private readonly tools: ReadonlyMap<string, PreparedTool>;

  constructor(options: RLMOptions = {}) {
    assertKnownOptions(options);
    const { env, provider, cache, onEvent, redisPrefix, tools, ...overrides } = options;
    this.config = loadConfig({ env: env ?? process.env, overrides, naming: 'options' });
    this.onEvent = onEvent;
    this.tools = tools === undefined ? new Map() : prepareTools(tools);
    const redis = redisTargetOf(this.config);
    // An engine whose default REPL is Python loads its spare sandboxes now, off the first request's path.
    this.steps = new LiveStepExecutor({
      pythonSpares: this.config.pythonSpares,
      prewarmPython: redis === undefined && this.config.repl === 'python',
    });
    if (redis !== undefined) {
      // Cluster mode: the model endpoint is the workers' business, not the submitter's.
      this.cluster = new ClusterClient({
        target: redis,
        prefix: redisPrefix ?? 'rlm',
        keyTtlSeconds: this.config.redisKeyTtlSec,
      });
    } else {
      // Embedded mode runs isolates in this process.
      if (!nodeSnapshotDisabled(process.execArgv, process.env['NODE_OPTIONS']))
        throw new RlmError('config_invalid', SNAPSHOT_FLAG_MISSING);
      if (provider === undefined) assertEndpointConfigured(this.config);
    }
    const gateway = new LlmGateway({
      provider:
        provider ??
        new OpenAIProvider({
          maxRetries: this.config.maxRetries,
          timeoutMs: this.config.requestTimeoutSec * 1000,
          ...(this.config.baseUrl === undefined ? {} : { baseUrl: this.config.baseUrl }),
          ...(this.config.apiKey === undefined ? {} : { apiKey: this.config.apiKey }),
        }),
      cache: cache ?? new MemoryResultCache(),
      coalescer: new LocalCallCoalescer(),
      prices: this.config.prices,
      defaultMaxOutputTokens: this.config.maxOutputTokens,
      recordContent: this.config.recordContent,
    });
    this.dispatcher = new EmbeddedDispatcher({ completions: gateway, steps: this.steps });
  }

  /**
   * With `repl: 'python'`, resolves once the spare Python sandboxes (`pythonSpares`) have loaded
   * Pyodide, so the next session starts without waiting for it (a server can call this before it
   * reports ready). Nothing to wait for with JavaScript, or in cluster mode (workers warm their own).
   */
  async warmUp(): Promise<void> {
    if (this.cluster === undefined && this.config.repl === 'python') await this.steps.warmPython();
  }

  /**
   * `completion(prompt)`: one text holding the material and the request (the reference library's
   * `completion(prompt)`, a single chat message): the root model finds the request inside `context`.
   * `completion(context, query)`: the material and a separate question.
   */
  completion(prompt: ContextValue, options?: CompletionOptions): Promise<RlmResult>;
  completion(
    context: ContextValue,
    query: string | undefined,
    options?: CompletionOptions,
  ): Promise<RlmResult>;
  async completion(
    context: ContextValue,
    queryOrOptions?: string | CompletionOptions,
    maybeOptions: CompletionOptions = {},
  ): Promise<RlmResult> {
    const separate = typeof queryOrOptions === 'string' ? queryOrOptions : undefined;
    const options = typeof queryOrOptions === 'object' ? queryOrOptions : maybeOptions;
    assertKnownRequestOptions(options, COMPLETION_KEYS, 'completion option');
    if (separate !== undefined && separate.trim().length === 0)
      throw new RlmError('config_invalid', 'the query is empty');
    if (separate === undefined && typeof context === 'string' && context.trim().length === 0) {
      throw new RlmError('config_invalid', 'the prompt is empty');
    }
    return this.request(context, separate, options, undefined);
  }

  /**
   * Follow-up questions over one context (issue 16): `ask` any number of times; the REPL and its
   * variables live until `close()`. Each question is its own request with its own budgets.
   */
  conversation(context: ContextValue, options: ConversationOptions = {}): Conversation {
    assertKnownRequestOptions(options, CONVERSATION_KEYS, 'conversation option');
    const config = withOverrides(this.config, options.overrides);
    validateContext(config, context);
    // Every question would be refused on it: say so once, before the first.
    assertPricedForBudget(config);
    return new Conversation(
      {
        ask: (scope, question, askOptions) => this.request(context, question, askOptions, scope),
        release: (conversationId) => this.releaseConversation(conversationId),
        validateContext: (value) => validateContext(config, value),
      },
      options,
    );
  }

  /** One root request: a plain completion, or a question of a conversation (`scope`). */
  private async request(
    context: ContextValue,
    separate: string | undefined,
    options: CompletionOptions,
    conversation: ConversationScope | undefined,
  ): Promise<RlmResult> {
    const query = composeQuery(separate, options.instructions);
    const config = withOverrides(this.config, options.overrides);
    validateRequest(config, context, query);
    assertPricedForBudget(config);
    const rootId = randomUUID();
    const cluster = this.cluster;
    const listeners = [this.onEvent, options.onEvent].filter((listener) => listener !== undefined);
    const onEvent =
      listeners.length === 0
        ? undefined
        : (event: RlmEvent): void => {
            for (const listener of listeners) listener(event);
          };
    return withRequestSpan(rootId, cluster === undefined ? 'embedded' : 'cluster', async () => {
      const started = performance.now();
      if (cluster === undefined)
        return this.embeddedCompletion(
          rootId,
          config,
          context,
          query,
          options,
          onEvent,
          conversation,
        );
      const result = await cluster.completion(
        rootId,
        config,
        this.settings(config),
        context,
        query,
        options.signal,
        onEvent,
        this.toolCaller(),
        conversation,
      );
      return { ...result, durationMs: Math.round(performance.now() - started) };
    });
  }

  private async embeddedCompletion(
    rootId: string,
    config: EngineConfig,
    context: ContextValue,
    query: string,
    options: CompletionOptions,
    onEvent: RlmEventListener | undefined,
    conversation: ConversationScope | undefined,
  ): Promise<RlmResult> {
    const started = performance.now();
    const deadlineAt =
      config.timeoutSec === undefined ? undefined : Date.now() + config.timeoutSec * 1000;
    const runtime = new LocalRequestRuntime({
      rootId,
      ledger: new LocalLedger({
        ...(config.maxTokens === undefined ? {} : { maxTokens: config.maxTokens }),
        ...(config.maxCostUsd === undefined ? {} : { maxCostUsd: config.maxCostUsd }),
      }),
      limiter: new LocalLimiter(config.concurrency),
      capacity: createRequestCapacity({
        maxPendingSubcalls: config.maxPendingSubcalls,
        maxSandboxMemoryMb: config.maxSandboxMemoryMb,
      }),
      ...(config.timeoutSec === undefined ? {} : { timeoutMs: config.timeoutSec * 1000 }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(onEvent === undefined ? {} : { onEvent }),
      ...(this.tools.size === 0 ? {} : { tools: this.toolCaller() }),
    });
    try {
      const outcome = await withinDeadline(
        this.dispatcher.runSession(
          {
            sessionId: rootId,
            depth: 0,
            context: { kind: 'inline', value: context },
            query,
            settings: this.settings(config),
            ...(conversation === undefined ? {} : { conversation }),
          },
          runtime,
        ),
        deadlineAt,
      );
      const totals = await runtime.ledger.totals();
      // W3C trace id format; the request span replaces it with the real one when tracing is on.
      const traceId = randomBytes(16).toString('hex');
      return toRlmResult(outcome, totals, {
        traceId,
        durationMs: Math.round(performance.now() - started),
      });
    } finally {
      runtime.close();
    }
  }

  /** The metadata line of a trajectory of `completion(context, query)` under this instance's settings. */
  trajectoryMetadata(
    context: ContextValue,
    query: string,
    startedAt = new Date(),
  ): TrajectoryMetadata {
    return buildTrajectoryMetadata(this.config, this.settings(), context, query, startedAt);
  }

  /** Frees a conversation's REPL: the live one here, or (cluster) its state in Redis. */
  private async releaseConversation(conversationId: string): Promise<void> {
    if (this.cluster === undefined) await this.steps.endSession(conversationId);
    else await this.cluster.endConversation(conversationId);
  }

  /**
   * Closes cluster connections and kills the spare Python sandboxes (idle spares never keep the
   * process alive); open conversations hold their REPLs until closed.
   */
  async close(): Promise<void> {
    this.steps.close();
    await this.cluster?.close();
  }

  private toolCaller(): LocalToolCaller | undefined {
    return this.tools.size === 0 ? undefined : new LocalToolCaller(this.tools);
  }

  private settings(config: EngineConfig = this.config): SessionSettings {
    return {
      model: config.model,
      subModel: config.subModel ?? config.model,
      maxDepth: config.maxDepth,
      maxIterations: config.maxIterations,
      stepTimeoutMs: config.stepTimeoutSec * 1000,
      outputLimitChars: config.outputLimitChars,
      maxOutputTokens: config.maxOutputTokens,
      ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
      ...(config.recordContent ? { recordContent: true } : {}),
      ...(config.subcalls ? {} : { subcalls: false }),
      maxPendingSubcalls: config.maxPendingSubcalls,
      maxAnswerChars: config.maxAnswerChars,
      maxSandboxMemoryMb: config.maxSandboxMemoryMb,
      ...(config.repl === 'python' ? { repl: 'python' } : {}),
      ...(this.tools.size === 0
        ? {}
        : { tools: [...this.tools.values()].map((tool) => tool.spec) }),
      contextWindow: contextWindowOf(config.model, config.contextWindow),
    };
  }
}

/** The instance's configuration with one request's overrides, validated again (a bad value is `config_invalid`). */
function withOverrides(
  config: EngineConfig,
  overrides: RequestOverrides | undefined,
): EngineConfig {
  if (overrides === undefined) return config;
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  );
  return loadConfig({ overrides: { ...config, ...defined }, naming: 'options' });
}

function assertEndpointConfigured(config: EngineConfig): void {
  if (config.baseUrl === undefined && config.apiKey === undefined) {
    throw new RlmError(
      'config_invalid',
      'no model endpoint configured: set OPENAI_API_KEY (OpenAI) or --base-url / OPENAI_BASE_URL (any OpenAI-compatible server); `rlm demo` runs with the built-in simulator',
    );
  }
}

function validateRequest(config: EngineConfig, context: ContextValue, query: string): void {
  if (query.trim().length === 0) throw new RlmError('config_invalid', 'the query is empty');
  validateContext(config, context);
}

function validateContext(config: EngineConfig, context: ContextValue): void {
  const size =
    typeof context === 'string' ? context.length : (JSON.stringify(context)?.length ?? 0);
  if (size > config.maxContextChars) {
    throw new RlmError(
      'config_invalid',
      `the context has ${size.toLocaleString('en-US')} characters, more than the configured maximum of ${config.maxContextChars.toLocaleString('en-US')} (RLM_MAX_CONTEXT_CHARS)`,
    );
  }
}
