/**
 * The conversations `rlm serve` keeps across requests (`"rlm": {"conversation": "<id>"}`, issue 16).
 *
 * - Scope: an id lives inside its caller's scope, the sha256 of the bearer token (one shared scope
 *   when the server checks no tokens). Another token naming the same id reaches a different,
 *   fresh conversation: nothing tells it the id is taken elsewhere.
 * - Expiry: a conversation left idle for `idleMs` (no request running, none since) is closed and
 *   its REPL freed; the next request with its id starts a new one.
 * - Cap: at most `maxLive` conversations at once, and at most `maxContextChars` characters of
 *   context across them (each live REPL holds its context in memory until it expires: a count cap
 *   alone lets 100 callers pin 100 maximal bodies); a request that would pass either is a 429.
 */
import { createHash } from 'node:crypto';
import type { Conversation } from '@rlm/sdk';
import type { ContextValue } from '@rlm/shared';
import { ApiError } from './api-error.ts';

interface Entry {
  readonly conversation: Conversation;
  /** Characters of its context, counted against `maxContextChars` while it lives. */
  readonly chars: number;
  /** Requests using it now; the idle clock runs only at zero. */
  active: number;
  timer: NodeJS.Timeout | undefined;
}

export interface ConversationLease {
  readonly conversation: Conversation;
  /** True when this request started it (its messages give the context and the first question). */
  readonly created: boolean;
  /** Ends this request's use; the idle clock starts when the last one ends. */
  release(): void;
}

export interface ConversationRegistryOptions {
  readonly idleMs: number;
  readonly maxLive: number;
  /** Context characters all live conversations may hold together. */
  readonly maxContextChars: number;
}

/** Ids are the caller's names: printable, bounded. */
const ID_PATTERN = /^[\w.:-]{1,128}$/;

export class ConversationRegistry {
  readonly #options: ConversationRegistryOptions;
  readonly #entries = new Map<string, Entry>();
  #chars = 0;

  constructor(options: ConversationRegistryOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Context characters the live conversations hold. */
  get contextChars(): number {
    return this.#chars;
  }

  /**
   * The caller's conversation `id`, started with `start()` over `context` when it does not exist
   * (or expired); `context` is only measured then.
   */
  lease(token: string | undefined, id: string, context: ContextValue, start: () => Conversation): ConversationLease {
    const key = `${scopeOf(token)}:${id}`;
    let entry = this.#entries.get(key);
    const created = entry === undefined;
    if (entry === undefined) {
      if (this.#entries.size >= this.#options.maxLive) {
        throw new ApiError(
          429,
          'rate_limit_error',
          'too_many_conversations',
          `this server already holds ${this.#options.maxLive} live conversations (--max-conversations); retry when one expires`,
        );
      }
      const chars = contextChars(context);
      if (this.#chars + chars > this.#options.maxContextChars) {
        throw new ApiError(
          429,
          'rate_limit_error',
          'too_many_conversations',
          `live conversations already hold ${this.#chars} of the ${this.#options.maxContextChars} context characters this server keeps (--max-conversation-chars) and this one has ${chars}; retry when one expires`,
        );
      }
      entry = { conversation: start(), chars, active: 0, timer: undefined };
      this.#entries.set(key, entry);
      this.#chars += chars;
    }
    const live = entry;
    clearTimeout(live.timer);
    live.active += 1;
    let released = false;
    return {
      conversation: live.conversation,
      created,
      release: () => {
        if (released) return;
        released = true;
        live.active -= 1;
        if (live.active === 0) live.timer = setTimeout(() => void this.#expire(key, live), this.#options.idleMs).unref();
      },
    };
  }

  /** Closes every conversation (server shutdown). */
  async close(): Promise<void> {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    this.#chars = 0;
    for (const entry of entries) clearTimeout(entry.timer);
    await Promise.all(entries.map((entry) => entry.conversation.close().catch(() => undefined)));
  }

  async #expire(key: string, entry: Entry): Promise<void> {
    if (this.#entries.get(key) !== entry || entry.active > 0) return;
    this.#entries.delete(key);
    this.#chars -= entry.chars;
    await entry.conversation.close().catch(() => undefined);
  }
}

/** Checks a caller's conversation id (a 400 names the member). */
export function parseConversationId(value: unknown): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw new ApiError(
      400,
      'invalid_request_error',
      'invalid_request',
      'rlm.conversation must be 1 to 128 characters of letters, digits, _ . : -',
      { param: 'rlm.conversation' },
    );
  }
  return value;
}

/** A context's size in characters: a text's length, else its JSON's (lists and records of texts). */
function contextChars(context: ContextValue): number {
  return typeof context === 'string' ? context.length : JSON.stringify(context).length;
}

/** A token never appears in a key: its hash does. */
function scopeOf(token: string | undefined): string {
  return token === undefined ? 'anonymous' : createHash('sha256').update(token).digest('hex');
}
