/**
 * Compaction of the root conversation (issue 16): before a turn whose messages would pass
 * `COMPACT_AT` of the root model's context window, the oldest turns are replaced by a summary
 * that the same model writes in one extra call. Kept: the system prompt, the first user message
 * (context metadata and question) and the last `KEEP_TAIL_MESSAGES` messages; a note saying what
 * happened goes in between. The REPL is never touched, so variables survive every compaction.
 */
import { countMessageTokens, countTokens, hashValue } from '@rlm/shared';
import type {
  ChatMessage,
  Dispatcher,
  LlmCallOutcome,
  RequestRuntime,
  SessionTask,
} from '@rlm/shared';
import {
  COMPACTION_INSTRUCTION,
  renderCompactionNote,
  renderCompactionTranscript,
} from '../prompts/compaction-prompts.ts';

/** Compact once the conversation would use this share of the window. */
export const COMPACT_AT = 0.8;
/** The latest messages kept word for word: the last two turns (reply + feedback each). */
export const KEEP_TAIL_MESSAGES = 4;
/** Messages never compacted: the system prompt and the first user message. */
const KEEP_HEAD_MESSAGES = 2;
/** Rough characters per token, to size the transcript handed to the summary call. */
const CHARS_PER_TOKEN = 3;

export interface CompactionResult {
  readonly messages: ChatMessage[];
  readonly outcome: LlmCallOutcome;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  readonly messagesCompacted: number;
}

/** One session's compaction state: how often it compacted, and token counts of messages already seen. */
export class Compactor {
  readonly #task: SessionTask;
  readonly #tokens = new WeakMap<ChatMessage, number>();
  #compactions = 0;

  constructor(task: SessionTask) {
    this.#task = task;
  }

  /** Estimated prompt tokens of `messages` (o200k), each message counted once. */
  tokensOf(messages: readonly ChatMessage[]): number {
    let total = 0;
    for (const message of messages) {
      let tokens = this.#tokens.get(message);
      if (tokens === undefined) {
        tokens = countMessageTokens([message]);
        this.#tokens.set(message, tokens);
      }
      total += tokens;
    }
    return total;
  }

  /**
   * The compacted conversation, or undefined when `messages` fit (or nothing old enough is left
   * to compact). Throws what the summary call throws (a stop, a budget refusal): the loop
   * handles it like a failed turn.
   */
  async compact(
    messages: readonly ChatMessage[],
    iteration: number,
    dispatcher: Dispatcher,
    runtime: RequestRuntime,
  ): Promise<CompactionResult | undefined> {
    const { settings } = this.#task;
    const window = settings.contextWindow;
    if (window === undefined) return undefined;
    const limit = Math.floor(window * COMPACT_AT);
    const tokensBefore = this.tokensOf(messages);
    if (tokensBefore <= limit) return undefined;
    const middle = messages.slice(KEEP_HEAD_MESSAGES, messages.length - KEEP_TAIL_MESSAGES);
    if (middle.length < 2) return undefined;
    // The summary call must fit the window itself: instruction + transcript + its answer.
    const transcriptTokens = Math.max(
      1_000,
      limit - settings.maxOutputTokens - countTokens(COMPACTION_INSTRUCTION),
    );
    const request: ChatMessage[] = [
      { role: 'system', content: COMPACTION_INSTRUCTION },
      {
        role: 'user',
        content: renderCompactionTranscript(middle, transcriptTokens * CHARS_PER_TOKEN),
      },
    ];
    this.#compactions += 1;
    const outcome = await dispatcher.complete(
      {
        // Stable per turn: a resumed session's retry finds the same job (cluster) instead of paying twice.
        callId: `${this.#task.sessionId}.c${iteration}`,
        sessionId: this.#task.sessionId,
        depth: this.#task.depth,
        purpose: 'root',
        request: {
          model: settings.model,
          messages: request,
          maxTokens: settings.maxOutputTokens,
          ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
        },
      },
      runtime,
    );
    const note: ChatMessage = {
      role: 'user',
      content: renderCompactionNote(middle.length, this.#compactions, outcome.response.content),
    };
    const compacted = [
      ...messages.slice(0, KEEP_HEAD_MESSAGES),
      note,
      ...messages.slice(messages.length - KEEP_TAIL_MESSAGES),
    ];
    if (runtime.observed) {
      runtime.emit({
        type: 'compaction',
        sessionId: this.#task.sessionId,
        depth: this.#task.depth,
        iteration,
        tokensBefore,
        tokensAfter: this.tokensOf(compacted),
        messagesCompacted: middle.length,
        requestHash: hashValue(request),
        summary: outcome.response.content,
        usage: outcome.response.usage,
        costUsd: outcome.costUsd ?? 0,
      });
    }
    return {
      messages: compacted,
      outcome,
      tokensBefore,
      tokensAfter: this.tokensOf(compacted),
      messagesCompacted: middle.length,
    };
  }
}
