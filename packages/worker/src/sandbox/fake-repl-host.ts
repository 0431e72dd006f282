/**
 * A scripted ReplHost for the sandbox tests: answers every prompt with `answer(prompt)` after
 * `delayMs`, records the calls, and tracks how many were in flight at once, so tests can assert
 * parallelism on a count rather than on wall time. `onCall` lets a test act at a known point of a
 * step (abort it, dispose the session) instead of after a guessed sleep.
 */
import type { SubcallOptions } from '@rlm/shared';
import type { ReplHost } from './repl-host.ts';

export interface RecordedCall {
  readonly kind: 'llm' | 'rlm';
  readonly prompt: string;
  readonly options: SubcallOptions;
}

export class FakeReplHost implements ReplHost {
  readonly calls: RecordedCall[] = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly #delayMs: number;
  readonly #answer: (prompt: string) => string;
  readonly #onCall: (prompt: string) => void;
  #idleWaiters: (() => void)[] = [];

  constructor(
    options: {
      delayMs?: number;
      answer?: (prompt: string) => string;
      onCall?: (prompt: string) => void;
    } = {},
  ) {
    this.#delayMs = options.delayMs ?? 0;
    this.#answer = options.answer ?? ((prompt) => `answer to ${prompt}`);
    this.#onCall = options.onCall ?? (() => {});
  }

  /** Resolves once no call is in flight (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  llmQuery(prompt: string, options: SubcallOptions): Promise<string> {
    return this.#respond('llm', prompt, options);
  }

  llmQueryBatched(prompts: string[], options: SubcallOptions): Promise<string[]> {
    return Promise.all(prompts.map((prompt) => this.#respond('llm', prompt, options)));
  }

  rlmQuery(prompt: string, options: SubcallOptions): Promise<string> {
    return this.#respond('rlm', prompt, options);
  }

  rlmQueryBatched(prompts: string[], options: SubcallOptions): Promise<string[]> {
    return Promise.all(prompts.map((prompt) => this.#respond('rlm', prompt, options)));
  }

  /** Echoes the tool call back, so a test sees what crossed the boundary. */
  callTool(name: string, args: unknown): Promise<unknown> {
    return Promise.resolve({ tool: name, args });
  }

  async #respond(kind: 'llm' | 'rlm', prompt: string, options: SubcallOptions): Promise<string> {
    this.calls.push({ kind, prompt, options });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.#onCall(prompt);
    try {
      if (this.#delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#delayMs));
      return this.#answer(prompt);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }
}
