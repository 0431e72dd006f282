/**
 * Every LLM call of a request passes through here, in this order:
 *   1. sub-calls only: result cache, then joining an identical call in flight;
 *   2. reserve the estimated tokens and cost in the request's ledger
 *      (a refusal stops the whole request with max_tokens / max_cost);
 *   3. wait for a slot under the request's concurrency cap;
 *   4. call the provider, then settle the ledger from the reported usage.
 */
import { costOf, countMessageTokens, isRlmError, priceOf, RlmError } from '@rlm/shared';
import type {
  CompletionPort,
  CompletionResponse,
  LlmCallOutcome,
  LlmCallTask,
  PriceTable,
  RequestRuntime,
  ResultCache,
} from '@rlm/shared';
import type { LlmProvider } from './provider.ts';
import { subcallCacheKey } from './sub-call-key.ts';

export interface LlmGatewayOptions {
  readonly provider: LlmProvider;
  readonly cache: ResultCache;
  readonly prices: PriceTable;
  /** Output tokens reserved for a call that sets no maxTokens. */
  readonly defaultMaxOutputTokens: number;
}

export class LlmGateway implements CompletionPort {
  private readonly options: LlmGatewayOptions;
  /** Identical sub-calls in flight, by cache key: later callers join the first. */
  private readonly inFlight = new Map<string, Promise<CompletionResponse>>();

  constructor(options: LlmGatewayOptions) {
    this.options = options;
  }

  async complete(task: LlmCallTask, runtime: RequestRuntime): Promise<LlmCallOutcome> {
    throwIfStopped(runtime);
    if (task.purpose === 'root') return { response: await this.call(task, runtime), cacheHit: false };

    const key = subcallCacheKey(task.request);
    const cached = await this.options.cache.get(key);
    if (cached !== undefined) return { response: cached, cacheHit: true };

    const pending = this.inFlight.get(key);
    if (pending !== undefined) {
      try {
        return { response: await pending, cacheHit: true };
      } catch (error) {
        // The call we joined belonged to another request that was stopped: make our own.
        if (!(isRlmError(error) && error.code === 'cancelled') || runtime.signal.aborted) throw error;
      }
    }
    const call = this.call(task, runtime);
    this.inFlight.set(key, call);
    try {
      const response = await call;
      await this.options.cache.set(key, response);
      return { response, cacheHit: false };
    } finally {
      if (this.inFlight.get(key) === call) this.inFlight.delete(key);
    }
  }

  private async call(task: LlmCallTask, runtime: RequestRuntime): Promise<CompletionResponse> {
    const request = task.request;
    const price = priceOf(this.options.prices, request.model);
    const outputTokens = request.maxTokens ?? this.options.defaultMaxOutputTokens;
    const inputTokens = countMessageTokens(request.messages);
    const estimateCost = costOf(price, { inputTokens, outputTokens, cachedInputTokens: 0 });

    const outcome = await runtime.ledger.reserve(inputTokens + outputTokens, estimateCost);
    if (!outcome.ok) {
      runtime.stop(outcome.reason);
      throw new RlmError('budget_exhausted', `budget exhausted (${outcome.reason})`);
    }
    let release: (() => void) | undefined;
    let response: CompletionResponse;
    try {
      release = await runtime.limiter.acquire(runtime.signal);
      throwIfStopped(runtime);
      response = await this.options.provider.complete(request, runtime.signal);
    } catch (error) {
      await runtime.ledger.release(outcome.reservation);
      throw error;
    } finally {
      release?.();
    }
    await runtime.ledger.settle(outcome.reservation, response.usage, costOf(price, response.usage));
    const exhausted = await runtime.ledger.exhausted();
    if (exhausted !== undefined) runtime.stop(exhausted);
    return response;
  }
}

function throwIfStopped(runtime: RequestRuntime): void {
  if (runtime.signal.aborted) {
    throw new RlmError('cancelled', `the request was stopped (${runtime.stopReason() ?? 'cancelled'})`);
  }
}
