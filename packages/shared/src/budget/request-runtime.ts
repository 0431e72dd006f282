/**
 * Everything one root request shares across its tree: the budget ledger, the
 * concurrency limiter, the cancellation signal, and the event sink. The first
 * stop (budget, deadline, cancel) wins and aborts every descendant.
 */
import type { RlmEvent, RlmEventListener } from '../events.ts';
import type { RootScope } from '../jobs/job-catalog.ts';
import type { InterruptReason } from '../stop-reason.ts';
import type { ToolCaller } from '../tools/tool-spec.ts';
import type { Ledger } from './ledger.ts';
import type { Limiter } from './limiter.ts';
import { createRequestCapacity } from './request-capacity.ts';
import type { RequestCapacity } from './request-capacity.ts';

export interface RequestRuntime {
  readonly rootId: string;
  /** Cluster mode: the request-wide facts that travel in every job. Absent in embedded mode. */
  readonly scope?: RootScope;
  readonly signal: AbortSignal;
  readonly ledger: Ledger;
  readonly limiter: Limiter;
  /**
   * The request's caps on pending sub-calls and live sandbox memory in this process. Embedded
   * runtimes hold one for the whole request; a runtime without it (a cluster job's) leaves the
   * sub-call host and the step executor to apply the same caps per session.
   */
  readonly capacity?: RequestCapacity;
  /** Runs the caller's tools (in this process, or over Redis back to the submitter); absent when the request has none. */
  readonly tools?: ToolCaller;
  /** Stops the whole request; later calls keep the first reason. */
  stop(reason: InterruptReason): void;
  /** The reason the request was stopped, if it was. */
  stopReason(): InterruptReason | undefined;
  /**
   * True when something reads `emit` (a caller's onEvent, a cluster event
   * stream). Emitters skip events whose fields cost real work (hashes of
   * prompts and conversations) when nobody would read them.
   */
  readonly observed: boolean;
  emit(event: RlmEvent): void;
}

export interface LocalRuntimeOptions {
  readonly rootId: string;
  readonly ledger: Ledger;
  readonly limiter: Limiter;
  /** Wall-clock limit of the whole request. */
  readonly timeoutMs?: number;
  /** The caller's signal: aborting it cancels the request. */
  readonly signal?: AbortSignal;
  readonly onEvent?: RlmEventListener;
  /** Default: the default caps (request-capacity.ts). */
  readonly capacity?: RequestCapacity;
  /** The caller's tools, when the request has any. */
  readonly tools?: ToolCaller;
}

export class LocalRequestRuntime implements RequestRuntime {
  readonly rootId: string;
  readonly ledger: Ledger;
  readonly limiter: Limiter;
  readonly capacity: RequestCapacity;
  readonly tools: ToolCaller | undefined;
  private readonly controller = new AbortController();
  private reason: InterruptReason | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onEvent: RlmEventListener | undefined;
  private readonly detachCaller: (() => void) | undefined;

  constructor(options: LocalRuntimeOptions) {
    this.rootId = options.rootId;
    this.ledger = options.ledger;
    this.limiter = options.limiter;
    this.capacity = options.capacity ?? createRequestCapacity({});
    this.tools = options.tools;
    this.onEvent = options.onEvent;
    if (options.timeoutMs !== undefined) {
      this.timer = setTimeout(() => this.stop('timeout'), options.timeoutMs);
      this.timer.unref();
    }
    const callerSignal = options.signal;
    if (callerSignal !== undefined) {
      const onAbort = (): void => this.stop('cancelled');
      if (callerSignal.aborted) onAbort();
      else callerSignal.addEventListener('abort', onAbort, { once: true });
      this.detachCaller = () => callerSignal.removeEventListener('abort', onAbort);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  stop(reason: InterruptReason): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.controller.abort(reason);
  }

  stopReason(): InterruptReason | undefined {
    return this.reason;
  }

  get observed(): boolean {
    return this.onEvent !== undefined;
  }

  emit(event: RlmEvent): void {
    // A listener's failure must not break the run it observes.
    try {
      this.onEvent?.(event);
    } catch {
      /* ignored on purpose */
    }
  }

  /** Releases timers and listeners; call once the request has ended. */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.detachCaller?.();
  }
}
