/**
 * The host side of `llm_query`, `rlm_query` and their batched forms: turns a
 * call from REPL code into dispatcher work, records it in the ledger and the
 * event stream, and converts every failure into an "Error: ..." string,
 * because REPL code must never see a host exception.
 */
import type { Context } from '@opentelemetry/api';
import { addSpend, ATTR, CHILD_QUERY, isRlmError, sha256Hex, SPAN_NAMES, withSpan, ZERO_SPEND } from '@rlm/shared';
import type { Dispatcher, RequestRuntime, Spend, StepTask, SubcallOptions, TokenUsage } from '@rlm/shared';
import type { ReplHost } from '../sandbox/index.ts';

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
  private callIndex = 0;
  /** What this step's sub-calls spent so far (reported with the step's result). */
  private spend: Spend = ZERO_SPEND;

  constructor(scope: SubcallScope) {
    this.scope = scope;
  }

  /** Points the host at the step now running (live isolates outlive a step). */
  bind(scope: SubcallScope): void {
    if (scope.task.step !== this.scope.task.step) this.callIndex = 0;
    this.scope = scope;
    this.spend = ZERO_SPEND;
  }

  /** What the sub-calls of the step now bound spent, child sessions' subtrees included. */
  spent(): Spend {
    return this.spend;
  }

  llmQuery(prompt: string, options: SubcallOptions): Promise<string> {
    return this.run('llm', prompt, options);
  }

  llmQueryBatched(prompts: string[], options: SubcallOptions): Promise<string[]> {
    return Promise.all(prompts.map((prompt) => this.run('llm', prompt, options)));
  }

  rlmQuery(prompt: string, options: SubcallOptions): Promise<string> {
    return this.run('rlm', prompt, options);
  }

  rlmQueryBatched(prompts: string[], options: SubcallOptions): Promise<string[]> {
    return Promise.all(prompts.map((prompt) => this.run('rlm', prompt, options)));
  }

  private async run(
    requested: 'llm' | 'rlm',
    prompt: string,
    options: SubcallOptions,
  ): Promise<string> {
    const { task, runtime } = this.scope;
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
    const { task, runtime } = this.scope;
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
    const { task, runtime } = this.scope;
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

function describeFailure(error: unknown): string {
  if (isRlmError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}
