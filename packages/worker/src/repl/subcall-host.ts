/**
 * The host side of `llm_query`, `rlm_query` and their batched forms: turns a
 * call from REPL code into dispatcher work, records it in the ledger and the
 * event stream, and converts every failure into an "Error: ..." string,
 * because REPL code must never see a host exception.
 */
import type { Context } from '@opentelemetry/api';
import { addSpend, ATTR, CHILD_QUERY, createRequestCapacity, isRlmError, sha256Hex, SPAN_NAMES, withSpan, ZERO_SPEND } from '@rlm/shared';
import type {
  Dispatcher,
  PendingSubcalls,
  RequestRuntime,
  Spend,
  StepTask,
  SubcallOptions,
  TokenUsage,
} from '@rlm/shared';
import type { ReplHost } from '../sandbox/index.ts';
import { CallPool } from './call-pool.ts';
import { StepRuntime } from './step-runtime.ts';
import { runToolCall } from './tool-call.ts';

/** What a sub-call needs to know about the step that issues it. */
export interface SubcallScope {
  readonly task: StepTask;
  readonly runtime: RequestRuntime;
  readonly dispatcher: Dispatcher;
  /** The step's span context: sub-call spans are its children. */
  readonly trace?: Context;
}

export class SubcallHost implements ReplHost {
  private scope: SubcallScope;
  /** The bound step's view of the request: its signal also fires when the step is abandoned. */
  private runtime: StepRuntime;
  /** Where the bound step's sub-calls wait for a running place (call-pool.ts). */
  private pool: CallPool;
  private callIndex = 0;
  /** Used when the request runtime carries no capacity (cluster jobs): the cap then holds per session. */
  private ownPending: PendingSubcalls | undefined;
  /** What this step's sub-calls spent so far (reported with the step's result). */
  private spend: Spend = ZERO_SPEND;

  constructor(scope: SubcallScope) {
    this.scope = scope;
    this.runtime = new StepRuntime(scope.runtime);
    this.pool = newPool(scope);
  }

  /** Points the host at the step now running (live isolates outlive a step); abandons the previous step's leftovers. */
  bind(scope: SubcallScope): void {
    if (scope.task.step !== this.scope.task.step) this.callIndex = 0;
    this.endStep();
    this.scope = scope;
    this.runtime = new StepRuntime(scope.runtime);
    this.pool = newPool(scope);
    this.spend = ZERO_SPEND;
  }

  /** What the sub-calls of the step now bound spent, child sessions' subtrees included. */
  spent(): Spend {
    return this.spend;
  }

  /**
   * The bound step is over: sub-calls it started and did not finish are abandoned (queued ones
   * are never sent, in-flight ones are aborted). After a step that ran to its end nothing is
   * pending (the REPL awaits forgotten calls), so this only matters for killed steps.
   */
  endStep(): void {
    this.pool.close(ABANDONED);
    this.runtime.abandon();
  }

  llmQuery(prompt: string, options: SubcallOptions): Promise<string> {
    return this.admitted('llm', [prompt], options).then(([answer]) => answer ?? '');
  }

  llmQueryBatched(prompts: string[], options: SubcallOptions): Promise<string[]> {
    return this.admitted('llm', prompts, options);
  }

  rlmQuery(prompt: string, options: SubcallOptions): Promise<string> {
    return this.admitted('rlm', [prompt], options).then(([answer]) => answer ?? '');
  }

  rlmQueryBatched(prompts: string[], options: SubcallOptions): Promise<string[]> {
    return this.admitted('rlm', prompts, options);
  }

  /**
   * A caller tool. It counts against the pending-sub-call cap like an LLM sub-call, but takes no
   * concurrency slot: the caller's function is not a model call.
   */
  callTool(name: string, args: unknown): Promise<unknown> {
    if (this.runtime.abandoned) return Promise.resolve(ABANDONED);
    const pending = this.pendingCap();
    if (pending.take(1) < 1) return Promise.resolve(refusedMessage(pending.limit));
    this.callIndex += 1;
    const { task } = this.scope;
    const callId = `${task.sessionId}.${task.step}.${this.callIndex}`;
    return runToolCall(
      { task, runtime: this.runtime, ...(this.scope.trace === undefined ? {} : { trace: this.scope.trace }) },
      callId,
      name,
      args,
    ).finally(() => pending.release());
  }

  /**
   * Runs the prompts the request's pending-sub-call cap admits and answers the rest at once with
   * an error string saying why, so a flood of calls costs a counter, not host memory.
   */
  private admitted(kind: 'llm' | 'rlm', prompts: readonly string[], options: SubcallOptions): Promise<string[]> {
    if (this.runtime.abandoned) return Promise.resolve(prompts.map(() => ABANDONED));
    const pending = this.pendingCap();
    const granted = pending.take(prompts.length);
    const refusal = granted < prompts.length ? refusedMessage(pending.limit) : '';
    const pool = this.pool;
    return Promise.all(
      prompts.map((prompt, index) => {
        if (index >= granted) return Promise.resolve(refusal);
        // Each pending prompt is a host copy: their characters are capped too (request-capacity.ts).
        if (!pending.takeChars(prompt.length)) {
          pending.release();
          return Promise.resolve(refusedCharsMessage(pending));
        }
        return pool
          .run(() => this.run(kind, prompt, options))
          .finally(() => {
            pending.releaseChars(prompt.length);
            pending.release();
          });
      }),
    );
  }

  private pendingCap(): PendingSubcalls {
    const shared = this.runtime.capacity?.subcalls;
    if (shared !== undefined) return shared;
    this.ownPending ??= createRequestCapacity({
      ...(this.scope.task.settings.maxPendingSubcalls === undefined
        ? {}
        : { maxPendingSubcalls: this.scope.task.settings.maxPendingSubcalls }),
    }).subcalls;
    return this.ownPending;
  }

  private async run(
    requested: 'llm' | 'rlm',
    prompt: string,
    options: SubcallOptions,
  ): Promise<string> {
    const { task } = this.scope;
    const runtime = this.runtime;
    const { settings } = task;
    this.callIndex += 1;
    const callId = `${task.sessionId}.${task.step}.${this.callIndex}`;
    // Reference semantics: depth maxDepth is plain, so rlm_query at the last REPL depth degrades to llm_query.
    const kind: 'llm' | 'rlm' =
      requested === 'rlm' && task.depth + 1 < settings.maxDepth ? 'rlm' : 'llm';
    const model = options.model ?? settings.subModel;
    const started = performance.now();
    const ref = { sessionId: task.sessionId, depth: task.depth, callId, kind };
    // Hashing the prompt is only worth it for a listener.
    if (runtime.observed) {
      runtime.emit({
        type: 'subcall-start',
        ...ref,
        model,
        step: task.step,
        promptChars: prompt.length,
        promptHash: sha256Hex(prompt),
        prompt,
      });
    }
    let ended: SubcallEnd;
    try {
      // The REPL-only ablation: the prompt does not offer sub-calls, and code that tries one anyway gets an error string.
      if (settings.subcalls === false)
        throw new Error('sub-calls are disabled for this request (REPL only)');
      const allowed = new Set([settings.model, settings.subModel]);
      if (!allowed.has(model))
        throw new Error(`unknown model "${model}"; available: ${[...allowed].join(', ')}`);
      ended = await withSpan(
        SPAN_NAMES.subcall(kind),
        {
          ...(this.scope.trace === undefined ? {} : { parent: this.scope.trace }),
          attributes: {
            [ATTR.rlmCallId]: callId,
            [ATTR.rlmSubcallKind]: kind,
            [ATTR.genAiRequestModel]: model,
            [ATTR.rlmDepth]: task.depth,
          },
        },
        (span) => {
          const call =
            kind === 'rlm'
              ? this.callChild(callId, prompt, model)
              : this.callModel(callId, prompt, model, options);
          return call.then((end) => {
            span.setAttribute(ATTR.rlmCacheHit, end.cacheHit);
            return end;
          });
        },
      );
    } catch (error) {
      ended = { cacheHit: false, error: describeFailure(error) };
    }
    // The answer goes to the caller's own listener (trajectories replay from it), never to logs.
    const { text, ...end } = ended;
    const answer = end.error === undefined ? (text ?? '') : undefined;
    runtime.emit({
      type: 'subcall-end',
      ...ref,
      ...end,
      ...(answer === undefined ? {} : { answer }),
      durationMs: performance.now() - started,
    });
    return answer ?? `Error: ${end.error}`;
  }

  /** A child RLM session one level deeper, whose context is the prompt. */
  private async callChild(callId: string, prompt: string, model: string): Promise<SubcallEnd> {
    const { task } = this.scope;
    const runtime = this.runtime;
    await runtime.ledger.recordSubcall(false);
    const outcome = await this.scope.dispatcher.runSession(
      {
        sessionId: callId,
        parentSessionId: task.sessionId,
        depth: task.depth + 1,
        context: { kind: 'inline', value: prompt },
        query: CHILD_QUERY,
        settings: { ...task.settings, model },
      },
      runtime,
    );
    if (outcome.spend !== undefined) this.spend = addSpend(this.spend, outcome.spend);
    if (outcome.stopReason === 'error')
      return { cacheHit: false, error: outcome.error?.message ?? 'child session failed' };
    return { cacheHit: false, text: outcome.answer };
  }

  /** One plain completion, possibly answered by the cache or an identical call in flight. */
  private async callModel(
    callId: string,
    prompt: string,
    model: string,
    options: SubcallOptions,
  ): Promise<SubcallEnd> {
    const { task } = this.scope;
    const runtime = this.runtime;
    const temperature = options.temperature ?? task.settings.temperature;
    const outcome = await this.scope.dispatcher.complete(
      {
        callId,
        sessionId: task.sessionId,
        depth: task.depth + 1,
        purpose: 'subcall',
        request: {
          model,
          messages: [{ role: 'user', content: prompt }],
          maxTokens: options.maxTokens ?? task.settings.maxOutputTokens,
          ...(temperature === undefined ? {} : { temperature }),
        },
      },
      runtime,
    );
    await runtime.ledger.recordSubcall(outcome.cacheHit);
    if (!outcome.cacheHit) {
      const spend = { usage: outcome.response.usage, costUsd: outcome.costUsd ?? 0, calls: 1 };
      this.spend = addSpend(this.spend, spend);
    }
    return {
      cacheHit: outcome.cacheHit,
      usage: outcome.response.usage,
      costUsd: outcome.costUsd ?? 0,
      text: outcome.response.content,
    };
  }
}

/** How a sub-call ended, as the subcall-end event reports it (plus the text for the REPL). */
interface SubcallEnd {
  readonly cacheHit: boolean;
  readonly text?: string;
  readonly usage?: TokenUsage;
  readonly costUsd?: number;
  readonly error?: string;
}

const ABANDONED = 'Error: the step that made this call has ended (it was stopped, timed out or ran out of memory)';

/** As many running places as the request has concurrency slots (the cluster scope says how many when the limiter does not). */
function newPool(scope: SubcallScope): CallPool {
  return new CallPool(scope.runtime.limiter.slots ?? scope.runtime.scope?.concurrency ?? DEFAULT_POOL_SIZE);
}

/** The engine's default concurrency, for a runtime that states none. */
const DEFAULT_POOL_SIZE = 32;

function refusedMessage(limit: number): string {
  return `Error: sub-call refused: this request already has ${limit.toLocaleString('en-US')} sub-calls pending, its cap (maxPendingSubcalls); await results before starting more, e.g. in batches of a few hundred prompts`;
}

function refusedCharsMessage(pending: PendingSubcalls): string {
  return `Error: sub-call refused: this request's pending sub-calls already hold ${pending.pendingChars.toLocaleString('en-US')} prompt characters of their cap of ${pending.charLimit.toLocaleString('en-US')} (each pending prompt is a copy in host memory); send slices of the context rather than copies of one large string, and await results before starting more`;
}

function describeFailure(error: unknown): string {
  if (isRlmError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}
