/**
 * Counters the simulator keeps so tests and benchmarks can see what reached
 * the "provider": how many requests, of what kind, how many were duplicates
 * (by prompt hash), what was throttled or faulted, and the tokens billed.
 */
import { hashValue } from '@rlm/shared';
import type { SimMessage } from '../policies/policy.ts';

export type FaultKind = 'error' | 'timeout' | 'emptyContent' | 'nullContent';

export interface SimStats {
  /** Chat completion requests received (including ones rejected or faulted). */
  readonly totalRequests: number;
  /** Requests answered with a completion (HTTP 200). */
  readonly completed: number;
  /** Requests answered with an error other than an injected fault or a 429 (400, 404, scripted statuses). */
  readonly failed: number;
  readonly requestsByModel: ReadonlyMap<string, number>;
  /** Requests answered 429. */
  readonly rateLimited: number;
  readonly faultsInjected: Readonly<Record<FaultKind | 'total', number>>;
  /** Requests whose client closed the connection before the answer was sent (a cancelled caller). */
  readonly clientsGone: number;
  /** Requests holding a concurrency slot right now. */
  readonly inFlight: number;
  /** The most requests ever holding a slot at once (since the last reset). */
  readonly maxInFlight: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
  /** Requests per sha256 of the canonical request messages (see `promptHash`). */
  readonly requestsByPromptHash: ReadonlyMap<string, number>;
  /** 'root': the first message is a system prompt mentioning llm_query (an engine session); 'subcall' otherwise. */
  readonly requestsByKind: Readonly<{ root: number; subcall: number }>;
}

/** The key of `requestsByPromptHash`: hashValue over `[{role, content}, ...]`. */
export function promptHash(messages: readonly SimMessage[]): string {
  return hashValue(messages.map((message) => ({ role: message.role, content: message.content })));
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface StatsRecorder {
  received(model: string, messages: readonly SimMessage[], kind: 'root' | 'subcall'): void;
  rateLimited(): void;
  fault(kind: FaultKind): void;
  failed(): void;
  clientGone(): void;
  slotTaken(): void;
  slotReleased(): void;
  completed(usage: { promptTokens: number; completionTokens: number; cachedTokens: number }): void;
  snapshot(): SimStats;
  reset(): void;
}

export function createStatsRecorder(): StatsRecorder {
  const fresh = (
    inFlight: number,
  ): Mutable<SimStats> & {
    requestsByModel: Map<string, number>;
    requestsByPromptHash: Map<string, number>;
    faultsInjected: Record<FaultKind | 'total', number>;
    requestsByKind: { root: number; subcall: number };
  } => ({
    totalRequests: 0,
    completed: 0,
    failed: 0,
    requestsByModel: new Map(),
    rateLimited: 0,
    faultsInjected: { total: 0, error: 0, timeout: 0, emptyContent: 0, nullContent: 0 },
    clientsGone: 0,
    inFlight,
    maxInFlight: inFlight,
    promptTokens: 0,
    completionTokens: 0,
    cachedTokens: 0,
    requestsByPromptHash: new Map(),
    requestsByKind: { root: 0, subcall: 0 },
  });
  let stats = fresh(0);
  const increment = (map: Map<string, number>, key: string): void => {
    map.set(key, (map.get(key) ?? 0) + 1);
  };
  return {
    received(model, messages, kind) {
      stats.totalRequests += 1;
      increment(stats.requestsByModel, model);
      increment(stats.requestsByPromptHash, promptHash(messages));
      stats.requestsByKind[kind] += 1;
    },
    rateLimited() {
      stats.rateLimited += 1;
    },
    fault(kind) {
      stats.faultsInjected[kind] += 1;
      stats.faultsInjected.total += 1;
    },
    failed() {
      stats.failed += 1;
    },
    clientGone() {
      stats.clientsGone += 1;
    },
    slotTaken() {
      stats.inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    },
    slotReleased() {
      stats.inFlight -= 1;
    },
    completed(usage) {
      stats.completed += 1;
      stats.promptTokens += usage.promptTokens;
      stats.completionTokens += usage.completionTokens;
      stats.cachedTokens += usage.cachedTokens;
    },
    snapshot() {
      return {
        ...stats,
        requestsByModel: new Map(stats.requestsByModel),
        requestsByPromptHash: new Map(stats.requestsByPromptHash),
        faultsInjected: { ...stats.faultsInjected },
        requestsByKind: { ...stats.requestsByKind },
      };
    },
    reset() {
      // Requests in flight stay in flight; keep counting them so inFlight never goes negative.
      stats = fresh(stats.inFlight);
    },
  };
}
