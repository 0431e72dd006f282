/**
 * The host side of `llm_query`, `rlm_query` and their batched forms: turns a
 * call from REPL code into dispatcher work, records it in the ledger and the
 * event stream, and converts every failure into an "Error: ..." string,
 * because REPL code must never see a host exception.
 */
import { CHILD_QUERY, isRlmError } from '@rlm/shared';
import type { Dispatcher, RequestRuntime, StepTask, SubcallOptions } from '@rlm/shared';
import type { ReplHost } from '../sandbox/index.ts';

/** What a sub-call needs to know about the step that issues it. */
export interface SubcallScope {
  readonly task: StepTask;
  readonly runtime: RequestRuntime;
  readonly dispatcher: Dispatcher;
}

export class SubcallHost implements ReplHost {
  private scope: SubcallScope;
  private callIndex = 0;

  constructor(scope: SubcallScope) {
    this.scope = scope;
  }

  /** Points the host at the step now running (live isolates outlive a step). */
  bind(scope: SubcallScope): void {
    if (scope.task.step !== this.scope.task.step) this.callIndex = 0;
    this.scope = scope;
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

  private async run(requested: 'llm' | 'rlm', prompt: string, options: SubcallOptions): Promise<string> {
    const { task, runtime } = this.scope;
    const { settings } = task;
    this.callIndex += 1;
    const callId = `${task.sessionId}.${task.step}.${this.callIndex}`;
    // Reference semantics: depth maxDepth is plain, so rlm_query at the last REPL depth degrades to llm_query.
    const kind = requested === 'rlm' && task.depth + 1 < settings.maxDepth ? 'rlm' : 'llm';
    const model = options.model ?? settings.subModel;
    const started = performance.now();
    const ref = { sessionId: task.sessionId, depth: task.depth };
    runtime.emit({ type: 'subcall-start', ...ref, callId, kind, model });
    try {
      const allowed = new Set([settings.model, settings.subModel]);
      if (!allowed.has(model)) {
        throw new Error(`unknown model "${model}"; available: ${[...allowed].join(', ')}`);
      }
      if (kind === 'rlm') {
        await runtime.ledger.recordSubcall(false);
        const outcome = await this.scope.dispatcher.runSession(
          {
            sessionId: callId,
            parentSessionId: task.sessionId,
            depth: task.depth + 1,
            context: { kind: 'inline', value: prompt },
            query: CHILD_QUERY,
            settings: { ...settings, model },
          },
          runtime,
        );
        const failed = outcome.stopReason === 'error' ? (outcome.error?.message ?? 'child session failed') : undefined;
        runtime.emit({ type: 'subcall-end', ...ref, callId, kind, cacheHit: false, durationMs: performance.now() - started, ...(failed ? { error: failed } : {}) });
        return failed ? `Error: ${failed}` : outcome.answer;
      }
      const outcome = await this.scope.dispatcher.complete(
        {
          callId,
          sessionId: task.sessionId,
          depth: task.depth + 1,
          purpose: 'subcall',
          request: {
            model,
            messages: [{ role: 'user', content: prompt }],
            maxTokens: options.maxTokens ?? settings.maxOutputTokens,
            ...(options.temperature ?? settings.temperature) === undefined
              ? {}
              : { temperature: options.temperature ?? settings.temperature },
          },
        },
        runtime,
      );
      await runtime.ledger.recordSubcall(outcome.cacheHit);
      runtime.emit({
        type: 'subcall-end',
        ...ref,
        callId,
        kind,
        cacheHit: outcome.cacheHit,
        usage: outcome.response.usage,
        durationMs: performance.now() - started,
      });
      return outcome.response.content;
    } catch (error) {
      const message = describeFailure(error);
      runtime.emit({ type: 'subcall-end', ...ref, callId, kind, cacheHit: false, error: message, durationMs: performance.now() - started });
      return `Error: ${message}`;
    }
  }
}

function describeFailure(error: unknown): string {
  if (isRlmError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}
