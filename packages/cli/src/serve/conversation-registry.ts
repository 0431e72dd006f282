/**
 * The conversations `rlm serve` keeps across requests (`"rlm": {"conversation": "<id>"}`, issue 16).
 *
 * - Scope: an id lives inside its caller's scope, the sha256 of the bearer token (one shared scope
 *   when the server checks no tokens). Another token naming the same id reaches a different,
 *   fresh conversation: nothing tells it the id is taken elsewhere.
 * - Expiry: a conversation left idle for `idleMs` (no request running, none since) is closed and
 *   its REPL freed; the next request with its id starts a new one.
 * - Cap: at most `maxLive` conversations at once; a request that would start one more is a 429.
 */
import { createHash } from 'node:crypto';
import type { Conversation } from '@rlm/sdk';
import { ApiError } from './api-error.ts';

interface Entry {
  readonly conversation: Conversation;
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
}

/** Ids are the caller's names: printable, bounded. */
const ID_PATTERN = /^[\w.:-]{1,128}$/;

export class ConversationRegistry {
  readonly #options: ConversationRegistryOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: ConversationRegistryOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The caller's conversation `id`, started with `start()` when it does not exist (or expired). */
  lease(token: string | undefined, id: string, start: () => Conversation): ConversationLease {
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
      entry = { conversation: start(), active: 0, timer: undefined };
      this.#entries.set(key, entry);
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
    for (const entry of entries) clearTimeout(entry.timer);
    await Promise.all(entries.map((entry) => entry.conversation.close().catch(() => undefined)));
  }

  async #expire(key: string, entry: Entry): Promise<void> {
    if (this.#entries.get(key) !== entry || entry.active > 0) return;
    this.#entries.delete(key);
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

/** A token never appears in a key: its hash does. */
function scopeOf(token: string | undefined): string {
  return token === undefined ? 'anonymous' : createHash('sha256').update(token).digest('hex');
}
