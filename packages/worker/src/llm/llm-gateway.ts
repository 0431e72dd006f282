/**
 * Every LLM call of a request passes through here, in this order:
 *   1. sub-calls only: result cache, then joining an identical call in flight
 *      (the CallCoalescer: in-process, or across the cluster through Redis);
 *   2. wait for a slot under the request's concurrency cap (before reserving:
 *      calls waiting for a slot hold no budget);
 *   3. reserve the prompt's tokens plus an output estimate (output-estimate.ts)
 *      and their cost in the request's ledger; refused while other calls of
 *      the request hold reservations, wait for one to settle and ask again
 *      (reservation-waits.ts); refused otherwise, stop the whole request with
 *      max_tokens / max_cost;
 *   4. call the provider, then settle the ledger from the reported usage.
 * Each call is one `chat <model>` CLIENT span (llm-span.ts); the span that
 * called the provider is stored with the cached result, so later hits link to it.
 */
import { SpanKind } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { costOf, countMessageTokens, errorType, formatTraceparent, priceOf, RlmError, SPAN_NAMES, withSpan } from '@rlm/shared';
import type {
  CallCoalescer,
  CompletionPort,
  CompletionResponse,
  LlmCallOutcome,
  LlmCallTask,
  ModelPrice,
  PriceTable,
  RateGate,
  RequestRuntime,
  Reservation,
  ResultCache,
} from '@rlm/shared';
import type { LlmProvider } from '@rlm/shared';
import { chatRequestAttributes, recordChatResponse, recordReuse } from './llm-span.ts';
import { OutputEstimator } from './output-estimate.ts';
import { ReservationWaits } from './reservation-waits.ts';
import { subcallCacheKey } from './sub-call-key.ts';

/** One provider request as metrics see it: how long it took, what it used, how it failed. */
export interface LlmCallObservation {
  readonly model: string;
  readonly durationSeconds: number;
  readonly usage?: CompletionResponse['usage'];
  /** The `error.type` of a failed request. */
  readonly errorType?: string;
}

export interface LlmGatewayOptions {
  readonly provider: LlmProvider;
  readonly cache: ResultCache;
  readonly coalescer: CallCoalescer;
  /** Provider rate limits shared by every process; absent means none. */
  readonly rateGate?: RateGate;
  readonly prices: PriceTable;
  /** Output cap of a call that sets no maxTokens (the most it can overshoot its reservation by). */
  readonly defaultMaxOutputTokens: number;
  /** Record prompts and completions on spans (truncated); off by default. */
  readonly recordContent?: boolean;
  /** Told about every provider request (metrics); never about cache hits. */
  readonly onProviderCall?: (observation: LlmCallObservation) => void;
}

export class LlmGateway implements CompletionPort {
  private readonly options: LlmGatewayOptions;
  private readonly outputs = new OutputEstimator();
  private readonly reservations = new ReservationWaits();

  constructor(options: LlmGatewayOptions) {
    this.options = options;
  }

  complete(task: LlmCallTask, runtime: RequestRuntime): Promise<LlmCallOutcome> {
    const recordContent = this.options.recordContent ?? false;
    const attributes = chatRequestAttributes(task, recordContent);
    return withSpan(SPAN_NAMES.chat(task.request.model), { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const outcome = await this.completeInSpan(task, runtime, span);
      if (outcome.cacheHit) recordReuse(span, outcome.response, outcome.source, recordContent);
      else recordChatResponse(span, outcome.response, recordContent);
      return { response: outcome.response, cacheHit: outcome.cacheHit, costUsd: outcome.costUsd };
    });
  }

  private async completeInSpan(
    task: LlmCallTask,
    runtime: RequestRuntime,
    span: Span,
  ): Promise<LlmCallOutcome & { readonly source: 'cache' | 'coalesced' }> {
    throwIfStopped(runtime);
    if (task.purpose === 'root') {
      const response = await this.call(task, runtime, span);
      return { response, cacheHit: false, costUsd: this.costOf(task, response, runtime), source: 'cache' };
    }

    const key = subcallCacheKey(task.request);
    const coalescer = this.options.coalescer;
    if (coalescer.readsResults !== true) {
      const cached = await this.options.cache.get(key);
      if (cached !== undefined) return { response: cached, cacheHit: true, costUsd: 0, source: 'cache' };
    }

    const { response, joined, cached } = await coalescer.coalesce(key, async () => {
      // The joined call may belong to another request; our own stop still applies to us.
      throwIfStopped(runtime);
      const fresh = await this.call(task, runtime, span);
      if (coalescer.storesResults !== true) await this.options.cache.set(key, fresh);
      return fresh;
    });
    if (cached === true) return { response, cacheHit: true, costUsd: 0, source: 'cache' };
    return { response, cacheHit: joined, costUsd: joined ? 0 : this.costOf(task, response, runtime), source: 'coalesced' };
  }

  /** The cost the ledger settled for this call (trajectories report it per call). */
  private costOf(task: LlmCallTask, response: CompletionResponse, runtime: RequestRuntime): number {
    return costOf(this.priceOf(task.request.model, runtime), response.usage);
  }

  /** The submitter's price of a request model (cluster mode: it travels in the job), else this process's table. */
  private priceOf(model: string, runtime: RequestRuntime): ModelPrice | undefined {
    return runtime.scope?.prices?.[model] ?? priceOf(this.options.prices, model);
  }

  private async call(task: LlmCallTask, runtime: RequestRuntime, span: Span): Promise<CompletionResponse> {
    const request = task.request;
    const price = this.priceOf(request.model, runtime);
    const outputCap = request.maxTokens ?? this.options.defaultMaxOutputTokens;
    const inputTokens = countMessageTokens(request.messages);
    let release: (() => void) | undefined;
    let response: CompletionResponse;
    try {
      // Keyed by the call: its re-run on another worker after a crash inherits the dead worker's slot.
      release = await runtime.limiter.acquire(runtime.signal, task.callId);
      throwIfStopped(runtime);
      const { reservation, outputTokens } = await this.reserve(task, runtime, inputTokens, outputCap);
      try {
        await this.options.rateGate?.admit(request.model, inputTokens + outputTokens, runtime.signal);
        throwIfStopped(runtime);
        response = await this.providerCall(request, runtime.signal);
      } catch (error) {
        try {
          await runtime.ledger.release(reservation);
        } finally {
          this.reservations.drop(runtime.rootId);
        }
        throw error;
      }
      this.outputs.observe(runtime.rootId, task.purpose, response.usage.outputTokens);
      try {
        await runtime.ledger.settle(reservation, response.usage, costOf(price, response.usage));
      } finally {
        this.reservations.drop(runtime.rootId);
      }
    } finally {
      release?.();
    }
    const exhausted = await runtime.ledger.exhausted();
    if (exhausted !== undefined) runtime.stop(exhausted);
    // Kept with the cached value: hits and joined calls link back to this span.
    return span.isRecording() ? { ...response, producerTraceparent: formatTraceparent(span.spanContext()) } : response;
  }

  /** Reserves the call's prompt and estimated output; throws budget_exhausted (and stops the request) when it cannot fit. */
  private async reserve(
    task: LlmCallTask,
    runtime: RequestRuntime,
    inputTokens: number,
    outputCap: number,
  ): Promise<{ reservation: Reservation; outputTokens: number }> {
    const price = this.priceOf(task.request.model, runtime);
    for (;;) {
      const outputTokens = this.outputs.estimate(runtime.rootId, task.purpose, outputCap);
      const estimateCost = costOf(price, { inputTokens, outputTokens, cachedInputTokens: 0 });
      const outcome = await runtime.ledger.reserve(inputTokens + outputTokens, estimateCost);
      if (outcome.ok) {
        this.reservations.hold(runtime.rootId);
        return { reservation: outcome.reservation, outputTokens };
      }
      if (!(await this.reservations.waitForDrop(runtime.rootId, runtime.signal))) {
        throwIfStopped(runtime);
        runtime.stop(outcome.reason);
        throw new RlmError('budget_exhausted', `budget exhausted (${outcome.reason})`);
      }
      throwIfStopped(runtime);
    }
  }

  private async providerCall(request: LlmCallTask['request'], signal: AbortSignal): Promise<CompletionResponse> {
    const started = performance.now();
    const observe = this.options.onProviderCall;
    try {
      const response = await this.options.provider.complete(request, signal);
      observe?.({ model: request.model, durationSeconds: (performance.now() - started) / 1000, usage: response.usage });
      return response;
    } catch (error) {
      observe?.({ model: request.model, durationSeconds: (performance.now() - started) / 1000, errorType: errorType(error) });
      throw error;
    }
  }
}

function throwIfStopped(runtime: RequestRuntime): void {
  if (runtime.signal.aborted) {
    throw new RlmError('cancelled', `the request was stopped (${runtime.stopReason() ?? 'cancelled'})`);
  }
}
