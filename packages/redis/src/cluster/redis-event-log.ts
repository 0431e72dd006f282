/**
 * Progress events of a cluster request, carried from the processes that do
 * the work (orchestrators emit session, turn and step events; workers emit
 * sub-call events) to the submitter, whose `onEvent` listener receives them.
 *
 * One Redis stream per root request (`rlm:root:{<rootId>}:events`), written
 * only when the submitter asked for events (`RootScope.events`), capped in
 * bytes (entry count x entry size, below) and expiring an hour after the last
 * append: a stream nobody reads must not outlive its request by much.
 *
 * Appends are fire and forget: events are observations, not state, so a slow
 * or unreachable Redis never holds up or fails the work it observes.
 * Processes append over separate connections, so the stream's order is the
 * order the appends reached Redis; readers rebuild the call tree from ids.
 */
import type { RlmEvent, RlmEventListener } from '@rlm/shared';
import type { RedisClient } from '../redis-client.ts';
import type { RedisKeys } from '../redis-keys.ts';

/**
 * The stream is capped in bytes: at most STREAM_MAX_ENTRIES entries (approximate trimming) of at
 * most EVENT_MAX_BYTES each, 64 MiB per request whatever the answers weigh. Events are a few hundred
 * bytes; a follower reads them as they come, so the cap only drops what nobody reads in time.
 */
const STREAM_MAX_ENTRIES = 2_048;
/** Longer events have their longest strings cut (prompts, answers, step output) with a marker. */
export const EVENT_MAX_BYTES = 32 * 1024;
/** Expiry after the last append. */
const STREAM_TTL_MS = 60 * 60 * 1000;
/** How long one blocking read waits before checking whether the follower was stopped. */
const READ_BLOCK_MS = 500;
const READ_BATCH = 500;
/** Pause after a failed read (Redis away) before the next try. */
const READ_RETRY_MS = 200;
/** After the result is in, how long to wait for the root's session-end to arrive. */
const DEFAULT_DRAIN_MS = 2_000;

export class RedisEventLog {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;

  constructor(redis: RedisClient, keys: RedisKeys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Appends one event. Never throws and never waits on Redis. */
  append(rootId: string, event: RlmEvent): void {
    const key = this.keys.events(rootId);
    this.redis
      .pipeline()
      .xadd(key, 'MAXLEN', '~', STREAM_MAX_ENTRIES, '*', 'event', cappedEventJson(event))
      .pexpire(key, STREAM_TTL_MS)
      .exec()
      .catch(() => undefined);
  }

  /**
   * Delivers the request's events to `listener` as they arrive, on a
   * connection of its own (blocking reads would stall the shared client).
   * Start it before submitting the request so nothing is missed.
   */
  follow(
    rootId: string,
    listener: RlmEventListener,
    options: { readonly drainMs?: number } = {},
  ): EventFollower {
    return new EventFollower(
      this.redis.duplicate(),
      this.keys.events(rootId),
      rootId,
      listener,
      options.drainMs ?? DEFAULT_DRAIN_MS,
    );
  }
}

export class EventFollower {
  private readonly reader: RedisClient;
  private readonly key: string;
  private readonly rootId: string;
  private readonly listener: RlmEventListener;
  private readonly drainMs: number;
  private stopped = false;
  /** Settles when stop() is called: a read pending on an unreachable Redis must not hold the stop up. */
  private readonly halted: Promise<null>;
  private halt: () => void = () => undefined;
  private rootEnded = false;
  private onRootEnd: (() => void) | undefined;
  private readonly loop: Promise<void>;

  constructor(
    reader: RedisClient,
    key: string,
    rootId: string,
    listener: RlmEventListener,
    drainMs: number,
  ) {
    this.reader = reader;
    this.key = key;
    this.rootId = rootId;
    this.listener = listener;
    this.drainMs = drainMs;
    reader.on('error', () => undefined);
    this.halted = new Promise((resolve) => {
      this.halt = () => resolve(null);
    });
    this.loop = this.read();
  }

  /**
   * The request is over: waits until the root session's end event has been
   * delivered (events may still be in flight from other processes), at most
   * the drain time, then stops reading and closes the connection.
   */
  async finish(): Promise<void> {
    if (!this.rootEnded && !this.stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.drainMs);
        this.onRootEnd = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await this.stop();
  }

  /** Stops reading now and closes the connection; later events are dropped. Idempotent. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.halt();
      this.reader.disconnect();
    }
    await this.loop;
  }

  private async read(): Promise<void> {
    let lastId = '0';
    while (!this.stopped) {
      let reply: Array<[string, Array<[string, string[]]>]> | null;
      try {
        const read = this.reader.xread('COUNT', READ_BATCH, 'BLOCK', READ_BLOCK_MS, 'STREAMS', this.key, lastId);
        read.catch(() => undefined);
        reply = (await Promise.race([read, this.halted])) as typeof reply;
        if (this.stopped) return;
      } catch {
        if (this.stopped) return;
        await new Promise((resolve) => setTimeout(resolve, READ_RETRY_MS));
        continue;
      }
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          lastId = id;
          this.deliver(fields);
        }
      }
    }
  }

  private deliver(fields: readonly string[]): void {
    if (this.stopped) return;
    const json = fields[fields.indexOf('event') + 1];
    if (json === undefined) return;
    let event: RlmEvent;
    try {
      event = JSON.parse(json) as RlmEvent;
    } catch {
      return;
    }
    // A listener's failure must not end the stream it observes.
    try {
      this.listener(event);
    } catch {
      /* ignored on purpose */
    }
    if (event.type === 'session-end' && event.sessionId === this.rootId) {
      this.rootEnded = true;
      this.onRootEnd?.();
    }
  }
}

/**
 * The event as JSON, at most about EVENT_MAX_BYTES: while it is longer, its longest top-level
 * string is cut to fit, with a marker saying how much was cut.
 */
export function cappedEventJson(event: RlmEvent): string {
  let json = JSON.stringify(event);
  if (Buffer.byteLength(json, 'utf8') <= EVENT_MAX_BYTES) return json;
  const fields: Record<string, unknown> = { ...event };
  for (let round = 0; round < 8 && Buffer.byteLength(json, 'utf8') > EVENT_MAX_BYTES; round += 1) {
    const longest = Object.entries(fields)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .sort((a, b) => b[1].length - a[1].length)[0];
    if (longest === undefined) break;
    const [name, value] = longest;
    // Characters may take up to 3 bytes: aim low so one round usually suffices.
    const keep = Math.max(0, Math.floor((EVENT_MAX_BYTES - (json.length - value.length)) / 3) - 64);
    fields[name] = `${value.slice(0, keep)}[... ${value.length - keep} characters cut: events are capped at ${EVENT_MAX_BYTES} bytes]`;
    json = JSON.stringify(fields);
  }
  if (Buffer.byteLength(json, 'utf8') <= EVENT_MAX_BYTES) return json;
  // The weight is nested (an error object): keep the numbers, flags and short strings only.
  const flat = Object.fromEntries(
    Object.entries(fields).filter(([, value]) => typeof value !== 'object' && String(value).length <= 1024),
  );
  return JSON.stringify({ ...flat, cut: true });
}
