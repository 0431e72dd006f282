/**
 * Follow-up questions over one context (issue 16): `rlm.conversation(context)` then `ask` any number
 * of times. Every question is its own root request (own budgets, deadline, trace, result); what
 * they share is the REPL, named by the conversation's id instead of the question's session, so its
 * variables outlive each question until `close()`. The model is not shown earlier transcripts: the
 * first message of a follow-up summarises the earlier questions and answers, and the REPL variable
 * `history` holds them in full.
 */
import { randomUUID } from 'node:crypto';
import { describeContext, RlmError } from '@rlm/shared';
import type { ContextValue, ConversationExchange, ConversationScope, RlmEventListener } from '@rlm/shared';
import { ASK_KEYS, assertKnownRequestOptions } from './known-options.ts';
import type { CompletionOptions, RequestOverrides } from './rlm.ts';
import type { RlmResult } from './rlm-result.ts';

export interface ConversationOptions {
  /** Model and budgets of every question (per question: each one has the whole budget). */
  readonly overrides?: RequestOverrides;
  /** Instructions for the root model that travel with every question (a chat caller's system message). */
  readonly instructions?: string;
  /** Progress events of every question. */
  readonly onEvent?: RlmEventListener;
}

export interface AskOptions {
  /** Aborting cancels this question only; the conversation goes on. */
  readonly signal?: AbortSignal;
  readonly onEvent?: RlmEventListener;
  /** This question's model and budgets, over the conversation's. */
  readonly overrides?: RequestOverrides;
}

/** What a conversation needs from its RLM instance (kept narrow so the engine stays private). */
export interface ConversationEngine {
  ask(scope: ConversationScope, question: string, options: CompletionOptions): Promise<RlmResult>;
  release(conversationId: string): Promise<void>;
  /** Throws `config_invalid` for a context the instance would refuse. */
  validateContext(context: ContextValue): void;
}

export class Conversation {
  /** Names the REPL (and, in cluster mode, its state in Redis). */
  readonly id: string = randomUUID();
  readonly #engine: ConversationEngine;
  readonly #options: ConversationOptions;
  readonly #contexts: ContextValue[] = [];
  readonly #history: ConversationExchange[] = [];
  /** Questions run one after another: they share one REPL. */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(engine: ConversationEngine, options: ConversationOptions) {
    this.#engine = engine;
    this.#options = options;
  }

  /** Earlier questions and the answers they got, oldest first (cancelled and failed ones left out). */
  get history(): readonly ConversationExchange[] {
    return [...this.#history];
  }

  /** Asks a question; concurrent calls wait for the one before. Resolves with the same result as `completion`. */
  ask(question: string, options: AskOptions = {}): Promise<RlmResult> {
    if (this.#closed) return Promise.reject(new RlmError('config_invalid', 'the conversation is closed'));
    if (question.trim().length === 0) return Promise.reject(new RlmError('config_invalid', 'the question is empty'));
    try {
      assertKnownRequestOptions(options, ASK_KEYS, 'ask option');
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const result = this.#queue.then(() => this.#ask(question, options));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Adds a context, visible to the next question as `context_<n>` (n = 1 for the first added; the
   * first context stays `context`, also `context_0`). Returns n.
   */
  addContext(value: ContextValue): number {
    if (this.#closed) throw new RlmError('config_invalid', 'the conversation is closed');
    this.#engine.validateContext(value);
    this.#contexts.push(value);
    return this.#contexts.length;
  }

  /** Frees the REPL (waits for a running question to end). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await this.#engine.release(this.id);
  }

  async #ask(question: string, options: AskOptions): Promise<RlmResult> {
    if (this.#closed) throw new RlmError('config_invalid', 'the conversation is closed');
    const scope: ConversationScope = {
      conversationId: this.id,
      contexts: this.#contexts.map((value) => ({ kind: 'inline', value })),
      contextMetadata: this.#contexts.map(describeContext),
      history: [...this.#history],
    };
    const listeners = [this.#options.onEvent, options.onEvent].filter((listener) => listener !== undefined);
    const overrides = { ...this.#options.overrides, ...options.overrides };
    const result = await this.#engine.ask(scope, question, {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(listeners.length === 0 ? {} : { onEvent: (event) => listeners.forEach((listener) => listener(event)) }),
      ...(Object.keys(overrides).length === 0 ? {} : { overrides }),
      ...(this.#options.instructions === undefined ? {} : { instructions: this.#options.instructions }),
    });
    // A question that was cancelled or failed told the model nothing worth carrying forward.
    if (result.stopReason !== 'cancelled' && result.stopReason !== 'error') this.#history.push({ question, answer: result.answer });
    return result;
  }
}
