/**
 * Caller tools in cluster mode: the handlers live in the submitter's process, the REPL runs on a
 * worker. A worker's call goes to the submitter and back through two Redis lists of the request
 * (both tagged `{<rootId>}`, expiring an hour after the last write):
 *
 *   worker     RPUSH rlm:root:{<rootId>}:tool-calls  {callId, name, args}
 *              BLPOP rlm:root:{<rootId>}:tool-reply:<callId>      (own connection, until the outcome
 *                                                                  or the step's signal)
 *   submitter  BLPOP rlm:root:{<rootId>}:tool-calls               (one reader per request)
 *              runs the handler (validation first), then
 *              RPUSH rlm:root:{<rootId>}:tool-reply:<callId> {ok, value | error}
 *
 * Lists, not pub/sub: a reply pushed before its reader blocks is still there when it does, and a
 * call pushed before the submitter's reader starts waits for it. A blocking read needs a
 * connection of its own, so each call opens one and closes it when answered or stopped (at most
 * MAX_WAITING_CALLS at once per job); that connection set-up is part of the latency a tool call
 * adds (ARCHITECTURE.md, "Caller tools").
 */
import { LocalLimiter } from '@rlm/shared';
import type { ToolCallOutcome, ToolCallRequest, ToolCaller } from '@rlm/shared';
import type { RedisClient } from '../redis-client.ts';
import type { RedisKeys } from '../redis-keys.ts';

/** Expiry of the call list and reply lists after their last write. */
const TOOL_KEY_TTL_SECONDS = 60 * 60;
/**
 * Tool calls of one runtime (one job) waiting for their reply at once, each on a connection of its
 * own: a `Promise.all` of thousands of calls must not open thousands of sockets. The rest queue here.
 */
const MAX_WAITING_CALLS = 16;

/** The worker's side: sends the call to the submitter and waits for its outcome. */
export class RedisToolCaller implements ToolCaller {
  readonly #redis: RedisClient;
  readonly #keys: RedisKeys;
  readonly #rootId: string;
  /** The MAX_WAITING_CALLS places; a stopped waiter leaves the queue. */
  readonly #waiting = new LocalLimiter(MAX_WAITING_CALLS);

  constructor(redis: RedisClient, keys: RedisKeys, rootId: string) {
    this.#redis = redis;
    this.#keys = keys;
    this.#rootId = rootId;
  }

  async call(request: ToolCallRequest, signal: AbortSignal): Promise<ToolCallOutcome> {
    let release: () => void;
    try {
      release = await this.#waiting.acquire(signal);
    } catch {
      // Only a stop rejects a wait for a place.
      return stopped(signal);
    }
    try {
      return await this.#send(request, signal);
    } finally {
      release();
    }
  }

  async #send(request: ToolCallRequest, signal: AbortSignal): Promise<ToolCallOutcome> {
    if (signal.aborted) return stopped(signal);
    const replyKey = this.#keys.toolReply(this.#rootId, request.callId);
    const callsKey = this.#keys.toolCalls(this.#rootId);
    const reader = this.#redis.duplicate();
    reader.on('error', () => undefined);
    const onAbort = (): void => reader.disconnect();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.#redis
        .pipeline()
        .rpush(callsKey, JSON.stringify({ callId: request.callId, name: request.name, args: request.args ?? null }))
        .expire(callsKey, TOOL_KEY_TTL_SECONDS)
        .exec();
      // 0: no timeout of its own; the step's signal (request deadline, cancel, step watchdog) ends the wait.
      const popped = await reader.blpop(replyKey, 0);
      if (popped === null) return { ok: false, error: 'no answer from the caller' };
      return parseOutcome(popped[1]);
    } catch (error) {
      if (signal.aborted) return stopped(signal);
      return { ok: false, error: `the call could not reach the caller (${error instanceof Error ? error.message : String(error)})` };
    } finally {
      signal.removeEventListener('abort', onAbort);
      reader.disconnect();
    }
  }
}

/** The submitter's side: answers the request's tool calls with `tools` until stopped. */
export class RedisToolServer {
  readonly #redis: RedisClient;
  readonly #reader: RedisClient;
  readonly #keys: RedisKeys;
  readonly #rootId: string;
  readonly #tools: ToolCaller;
  readonly #signal: AbortSignal;
  #stopped = false;
  readonly #loop: Promise<void>;

  /** `signal`: the request's stop; handlers receive it. */
  constructor(redis: RedisClient, keys: RedisKeys, rootId: string, tools: ToolCaller, signal: AbortSignal) {
    this.#redis = redis;
    this.#reader = redis.duplicate();
    this.#reader.on('error', () => undefined);
    this.#keys = keys;
    this.#rootId = rootId;
    this.#tools = tools;
    this.#signal = signal;
    this.#loop = this.#serve();
  }

  /**
   * Stops taking calls and closes the reader. Idempotent. Calls already taken finish on their own
   * (their replies are then unread and expire): the request is over, its result must not wait.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#reader.disconnect();
    await this.#loop;
  }

  async #serve(): Promise<void> {
    const callsKey = this.#keys.toolCalls(this.#rootId);
    while (!this.#stopped) {
      let popped: [string, string] | null;
      try {
        popped = await this.#reader.blpop(callsKey, 0);
      } catch {
        // Disconnected by stop(), or Redis away: ioredis reconnects; a stopped server leaves.
        if (this.#stopped) return;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      if (popped === null) continue;
      // Calls run concurrently: a slow tool must not hold the others up.
      void this.#answer(popped[1]);
    }
  }

  async #answer(raw: string): Promise<void> {
    let request: ToolCallRequest;
    try {
      const parsed = JSON.parse(raw) as { callId?: unknown; name?: unknown; args?: unknown };
      if (typeof parsed.callId !== 'string' || typeof parsed.name !== 'string') return;
      request = { callId: parsed.callId, name: parsed.name, args: parsed.args };
    } catch {
      return;
    }
    const outcome = await this.#tools.call(request, this.#signal);
    const replyKey = this.#keys.toolReply(this.#rootId, request.callId);
    await this.#redis
      .pipeline()
      .rpush(replyKey, JSON.stringify(outcome))
      .expire(replyKey, TOOL_KEY_TTL_SECONDS)
      .exec()
      .catch(() => undefined);
  }
}

const RETRY_MS = 200;

function stopped(signal: AbortSignal): ToolCallOutcome {
  return { ok: false, error: `stopped before the tool answered (${String(signal.reason)})` };
}

function parseOutcome(raw: string): ToolCallOutcome {
  try {
    const parsed = JSON.parse(raw) as { ok?: unknown; value?: unknown; error?: unknown };
    if (parsed.ok === true) return { ok: true, value: parsed.value ?? null };
    return { ok: false, error: typeof parsed.error === 'string' ? parsed.error : 'the tool failed' };
  } catch {
    return { ok: false, error: 'the caller sent an answer that is not JSON' };
  }
}
