/**
 * The runtime of one root request as seen from any cluster process: the
 * Redis ledger and limiter of the root, and an AbortSignal that fires when
 * the root is stopped anywhere (budget, deadline, caller's cancel). Stopping
 * here records the reason in Redis, so every other process stops too.
 */
import type {
  CancellationBus,
  InterruptReason,
  RequestRuntime,
  RlmEvent,
  RootScope,
  RuntimeFactory,
} from '@rlm/shared';
import { RedisLedger } from '../redis-ledger.ts';
import { RedisEventLog } from './redis-event-log.ts';
import { RedisToolCaller } from './redis-tool-channel.ts';
import { RedisLimiter } from '../redis-limiter.ts';
import type { RedisClient } from '../redis-client.ts';
import type { RedisKeys } from '../redis-keys.ts';

const INTERRUPT_REASONS: readonly InterruptReason[] = [
  'max_tokens',
  'max_cost',
  'timeout',
  'cancelled',
];

export class RedisRequestRuntime implements RequestRuntime {
  readonly rootId: string;
  readonly scope: RootScope;
  readonly ledger: RedisLedger;
  readonly limiter: RedisLimiter;
  /** Present when the submitter serves caller tools (`RootScope.tools`): calls go back to it over Redis. */
  readonly tools: RedisToolCaller | undefined;
  private readonly bus: CancellationBus;
  /** Present when the submitter listens for events. */
  private readonly events: RedisEventLog | undefined;
  private readonly watch: { readonly signal: AbortSignal; close(): void };
  /** Aborts even when Redis is unreachable: a deadline must stop local work without the bus. */
  private readonly local = new AbortController();
  private readonly combined: AbortSignal;
  private readonly timer: NodeJS.Timeout | undefined;
  private localReason: InterruptReason | undefined;

  constructor(redis: RedisClient, keys: RedisKeys, bus: CancellationBus, scope: RootScope) {
    this.rootId = scope.rootId;
    this.scope = scope;
    this.bus = bus;
    this.ledger = new RedisLedger(redis, keys, { rootId: scope.rootId, limits: scope.limits });
    this.limiter = new RedisLimiter(redis, keys, {
      rootId: scope.rootId,
      capacity: scope.concurrency,
    });
    this.events = scope.events === true ? new RedisEventLog(redis, keys) : undefined;
    this.tools = scope.tools === true ? new RedisToolCaller(redis, keys, scope.rootId) : undefined;
    this.watch = bus.watch(scope.rootId);
    this.combined = AbortSignal.any([this.watch.signal, this.local.signal]);
    if (scope.deadlineAt !== undefined) {
      this.timer = setTimeout(
        () => this.stop('timeout'),
        Math.max(0, scope.deadlineAt - Date.now()),
      );
      this.timer.unref();
    }
  }

  get signal(): AbortSignal {
    return this.combined;
  }

  stop(reason: InterruptReason): void {
    this.localReason ??= reason;
    this.local.abort(reason);
    // The bus records the first reason cluster-wide and aborts every watcher, this one included.
    this.bus.stop(this.rootId, reason).catch(() => undefined);
  }

  stopReason(): InterruptReason | undefined {
    const reason: unknown = this.watch.signal.aborted ? this.watch.signal.reason : undefined;
    if (typeof reason === 'string' && (INTERRUPT_REASONS as readonly string[]).includes(reason))
      return reason as InterruptReason;
    return this.watch.signal.aborted ? (this.localReason ?? 'cancelled') : this.localReason;
  }

  get observed(): boolean {
    return this.events !== undefined;
  }

  emit(event: RlmEvent): void {
    this.events?.append(this.rootId, event);
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.watch.close();
  }
}

export class RedisRuntimeFactory implements RuntimeFactory {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;
  private readonly bus: CancellationBus;

  constructor(redis: RedisClient, keys: RedisKeys, bus: CancellationBus) {
    this.redis = redis;
    this.keys = keys;
    this.bus = bus;
  }

  open(scope: RootScope): RedisRequestRuntime {
    return new RedisRequestRuntime(this.redis, this.keys, this.bus, scope);
  }
}
