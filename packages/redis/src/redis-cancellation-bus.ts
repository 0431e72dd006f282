/**
 * Stop flags of root requests across the cluster. `stop` records the first
 * reason under `cancel(rootId)` (SET NX, with a TTL) and publishes
 * `{rootId, reason}` on `cancelChannel()`; the flag is the truth and the
 * message is the fast path. So a watcher reads the flag when it starts
 * (catching stops that happened before it watched) and again whenever its
 * subscriber connection comes back (catching messages published while it was
 * down).
 *
 * One subscriber connection per bus (a duplicate of the client it is given,
 * opened on the first `watch`) fans messages out to the local watchers: a
 * process watching a thousand roots still holds one subscription. `close`
 * quits that connection; the command client belongs to the caller.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { RlmError } from '@rlm/shared';
import type { CancellationBus } from '@rlm/shared';
import type { RedisClient } from './redis-client.ts';
import type { RedisKeys } from './redis-keys.ts';

export interface RedisCancellationBusOptions {
  /** How long a stop flag outlives the stop. Default 24 h: longer than any request. */
  readonly ttlSeconds?: number;
}

interface StopNotice {
  readonly rootId: string;
  readonly reason: string;
}

const DEFAULT_TTL_SECONDS = 24 * 60 * 60;
/** How long close() waits for the subscriber's QUIT before dropping the connection. */
const QUIT_TIMEOUT_MS = 250;

export class RedisCancellationBus implements CancellationBus {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;
  private readonly ttlSeconds: number;
  /** Local watchers by root id. */
  private readonly watchers = new Map<string, Set<AbortController>>();
  private subscriber: RedisClient | undefined;
  private subscribed: Promise<void> | undefined;
  private closed = false;

  constructor(redis: RedisClient, keys: RedisKeys, options: RedisCancellationBusOptions = {}) {
    this.redis = redis;
    this.keys = keys;
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  }

  async stop(rootId: string, reason: string): Promise<void> {
    const key = this.keys.cancel(rootId);
    const first = (await this.redis.set(key, reason, 'EX', this.ttlSeconds, 'NX')) === 'OK';
    // A repeated stop republishes the recorded reason: it heals a first stopper
    // that crashed between its SET and its PUBLISH.
    const recorded = first ? reason : ((await this.redis.get(key)) ?? reason);
    const notice: StopNotice = { rootId, reason: recorded };
    await this.redis.publish(this.keys.cancelChannel(), JSON.stringify(notice));
  }

  async reason(rootId: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.cancel(rootId))) ?? undefined;
  }

  watch(rootId: string): { readonly signal: AbortSignal; close(): void } {
    if (this.closed) throw new RlmError('internal', 'the cancellation bus is closed');
    const controller = new AbortController();
    let group = this.watchers.get(rootId);
    if (group === undefined) {
      group = new Set();
      this.watchers.set(rootId, group);
      // Read the flag only once subscribed: a stop published between the read
      // and the subscription would otherwise be missed by both. Watchers that
      // join a live group share its read: a stop before it aborts the whole
      // group, one after it arrives by message (a fan-out's jobs open their
      // runtimes together, and this saves each of them a GET).
      void this.ensureSubscribed()
        .then(() => this.check(rootId))
        .catch(() => undefined);
    }
    group.add(controller);
    return {
      signal: controller.signal,
      close: () => {
        const current = this.watchers.get(rootId);
        current?.delete(controller);
        if (current?.size === 0) this.watchers.delete(rootId);
      },
    };
  }

  /** Closes the subscriber connection (bounded). Watchers are left as they are (not aborted). */
  async close(): Promise<void> {
    this.closed = true;
    this.watchers.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber === undefined) return;
    // QUIT lets pending replies arrive; with Redis away it would wait for a reconnect, so it is bounded.
    await Promise.race([subscriber.quit().catch(() => undefined), delay(QUIT_TIMEOUT_MS, undefined, { ref: false })]);
    subscriber.disconnect();
  }

  private ensureSubscribed(): Promise<void> {
    if (this.subscribed !== undefined) return this.subscribed;
    const subscriber = this.subscriber ?? this.openSubscriber();
    this.subscribed = subscriber.subscribe(this.keys.cancelChannel()).then(
      () => undefined,
      (error: unknown) => {
        this.subscribed = undefined; // the next watch tries again
        throw error;
      },
    );
    return this.subscribed;
  }

  private openSubscriber(): RedisClient {
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.keys.cancelChannel()) return;
      const notice = parseNotice(message);
      if (notice !== undefined) this.abort(notice.rootId, notice.reason);
    });
    // ioredis resubscribes after a reconnect; stops published meanwhile are
    // only in the flags, so read them again for every watched root.
    subscriber.on('ready', () => {
      for (const rootId of this.watchers.keys()) void this.check(rootId).catch(() => undefined);
    });
    // Connection errors are retried by ioredis; without a listener they would crash the process.
    subscriber.on('error', () => undefined);
    return subscriber;
  }

  private async check(rootId: string): Promise<void> {
    const reason = await this.reason(rootId);
    if (reason !== undefined) this.abort(rootId, reason);
  }

  private abort(rootId: string, reason: string): void {
    const group = this.watchers.get(rootId);
    if (group === undefined) return;
    this.watchers.delete(rootId);
    for (const controller of group) controller.abort(reason);
  }
}

function parseNotice(message: string): StopNotice | undefined {
  try {
    const parsed = JSON.parse(message) as Partial<StopNotice> | null;
    if (typeof parsed?.rootId === 'string' && typeof parsed.reason === 'string') {
      return { rootId: parsed.rootId, reason: parsed.reason };
    }
  } catch {
    // Not ours: ignore.
  }
  return undefined;
}
