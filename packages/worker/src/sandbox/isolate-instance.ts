/**
 * One live V8 isolate holding a REPL: the context copied in, the bootstrap run, and the two
 * host functions it may call. A ReplSession replaces its instance whenever a step kills it.
 *
 * The context is copied in once, here, and never again per step: a 100 MB context costs one copy
 * per isolate, not one per step.
 */
import ivm from 'isolated-vm';
import { RlmError } from '@rlm/shared';
import type { ContextValue, VariableInfo } from '@rlm/shared';
import { BOOTSTRAP_SOURCE } from './bootstrap-source.ts';
import { CapturedOutput } from './captured-output.ts';
import { dispatchHostCall } from './host-bridge.ts';
import type { ReplHost } from './repl-host.ts';
import { WRAPPER_LINE_OFFSET } from './rewrite-declarations.ts';
import type { ReplSnapshot, SkippedGlobal } from './repl-snapshot.ts';
import { createSnapshotBridge } from './snapshot-bridge.ts';
import type { SnapshotBridge } from './snapshot-bridge.ts';
import { restoreSnapshot, takeSnapshot } from './state-snapshot.ts';
import { parseStepSummary, parseVariables } from './step-summary.ts';
import type { StepSummary } from './step-summary.ts';

export interface IsolateInstanceOptions {
  readonly context: ContextValue;
  /** A conversation's contexts after the first: `context_1`, `context_2`, ... (and `context_0` = `context`). */
  readonly extraContexts?: readonly ContextValue[];
  readonly host: ReplHost;
  readonly memoryLimitMb: number;
  readonly maxCapturedOutputChars: number;
  /** Largest final answer the isolate hands out, in characters. */
  readonly maxAnswerChars: number;
  /** Names of the caller's tools, each defined as an async function in the REPL. */
  readonly toolNames?: readonly string[];
}

/** The two sources of a rewritten step (see rewrite-declarations.ts). */
export interface CompiledStepSources {
  readonly hoistSource: string | undefined;
  readonly mainSource: string;
}

/** Listing variables runs user getters and proxy traps, so it gets a CPU bound of its own. */
const LIST_VARIABLES_TIMEOUT_MS = 1_000;

export class IsolateInstance {
  readonly #isolate: ivm.Isolate;
  readonly #context: ivm.Context;
  readonly #runStep: ivm.Reference;
  readonly #listVariables: ivm.Reference;
  readonly #snapshotHelper: ivm.Reference;
  readonly #snapshotBridge: SnapshotBridge;
  readonly #hostReferences: readonly ivm.Reference[];
  readonly #output: CapturedOutput;
  readonly #outputCap: number;
  readonly #gate: { open: boolean };
  #disposedByUs = false;
  #stepNumber = 0;

  private constructor(parts: {
    isolate: ivm.Isolate;
    context: ivm.Context;
    runStep: ivm.Reference;
    listVariables: ivm.Reference;
    snapshotHelper: ivm.Reference;
    hostReferences: readonly ivm.Reference[];
    output: CapturedOutput;
    outputCap: number;
    gate: { open: boolean };
  }) {
    this.#isolate = parts.isolate;
    this.#context = parts.context;
    this.#runStep = parts.runStep;
    this.#listVariables = parts.listVariables;
    this.#snapshotHelper = parts.snapshotHelper;
    this.#snapshotBridge = createSnapshotBridge(parts.isolate, parts.context, parts.snapshotHelper);
    this.#hostReferences = parts.hostReferences;
    this.#output = parts.output;
    this.#outputCap = parts.outputCap;
    this.#gate = parts.gate;
  }

  static async create(options: IsolateInstanceOptions): Promise<IsolateInstance> {
    const isolate = new ivm.Isolate({ memoryLimit: options.memoryLimitMb });
    const output = new CapturedOutput(options.maxCapturedOutputChars);
    // Calls a killed isolate queued before it died can arrive after the kill: they are answered
    // here, unsent, so they can never count against (or be sent for) a later step.
    const gate = { open: true };
    const callHost = new ivm.Reference((name: unknown, payload: unknown, subcallOptions: unknown) =>
      gate.open
        ? dispatchHostCall(options.host, name, payload, subcallOptions)
        : Promise.resolve('Error: the REPL that made this call was reset'),
    );
    const writeOutput = new ivm.Reference(
      (text: unknown, totalChars: unknown, partialAnswer: unknown, step: unknown) => {
        output.append(text, totalChars, partialAnswer, step);
      },
    );
    try {
      const context = await isolate.createContext();
      await context.global.set('context', options.context, { copy: true });
      // Set before the bootstrap runs, so like `context` they are not user variables (and never snapshotted).
      if (options.extraContexts !== undefined) {
        await context.eval('globalThis.context_0 = context; undefined');
        for (const [index, value] of options.extraContexts.entries())
          await context.global.set(`context_${index + 1}`, value, { copy: true });
      }
      const api = await context.evalClosure(
        BOOTSTRAP_SOURCE,
        [
          callHost,
          writeOutput,
          options.maxCapturedOutputChars,
          options.maxAnswerChars,
          new ivm.ExternalCopy([...(options.toolNames ?? [])]).copyInto({ release: true }),
        ],
        {
          filename: 'rlm-bootstrap.js',
          result: { reference: true },
        },
      );
      const runStep = await api.get('runStep', { reference: true });
      const listVariables = await api.get('listVariables', { reference: true });
      const snapshotHelper = await api.get('snapshotHelper', { reference: true });
      api.release();
      return new IsolateInstance({
        isolate,
        context,
        runStep,
        listVariables,
        snapshotHelper,
        hostReferences: [callHost, writeOutput],
        output,
        outputCap: options.maxCapturedOutputChars,
        gate,
      });
    } catch (error) {
      if (!isolate.isDisposed) isolate.dispose();
      const reason = error instanceof Error ? error.message : String(error);
      throw new RlmError('sandbox', `could not start the REPL isolate: ${reason}`, {
        cause: error,
      });
    }
  }

  get isAlive(): boolean {
    return !this.#isolate.isDisposed;
  }

  /** True when V8 disposed the isolate on its own, which isolated-vm does at the memory limit. */
  get lostToMemory(): boolean {
    return this.#isolate.isDisposed && !this.#disposedByUs;
  }

  get disposedByUs(): boolean {
    return this.#disposedByUs;
  }

  /** The latest `answer.content` the isolate reported at a sub-call, if any. */
  get partialAnswer(): string | undefined {
    return this.#output.partialAnswer;
  }

  /** What the running (or killed) step printed so far. */
  get output(): { readonly text: string; readonly totalChars: number } {
    return { text: this.#output.text, totalChars: this.#output.totalChars };
  }

  /**
   * Runs one step. `timeoutMs` bounds each synchronous stretch of the step (a plain infinite loop
   * stops here); loops after an `await` are the caller's watchdog's job. Rejects only when the
   * isolate dies or times out; user errors are part of the summary.
   */
  async runStep(
    sources: CompiledStepSources,
    fileName: string,
    timeoutMs: number,
  ): Promise<StepSummary> {
    this.#stepNumber += 1;
    const stepNumber = this.#stepNumber;
    this.#output.reset(stepNumber);
    const functions: ivm.Reference[] = [];
    try {
      let hoist: ivm.Reference | undefined;
      let main: ivm.Reference;
      try {
        if (sources.hoistSource !== undefined) {
          hoist = await this.#compileFunction(sources.hoistSource, fileName, timeoutMs);
          functions.push(hoist);
        }
        main = await this.#compileFunction(sources.mainSource, fileName, timeoutMs);
        functions.push(main);
      } catch (error) {
        // acorn accepted the code but V8 did not (a rare early error): report it like acorn's.
        if (!this.isAlive || !(error instanceof Error) || error.name !== 'SyntaxError') throw error;
        return {
          output: '',
          outputTotalChars: 0,
          error: { name: 'SyntaxError', message: error.message },
          variables: await this.listVariables(),
          pendingAwaited: 0,
        };
      }
      const raw: unknown = await this.#runStep.apply(
        undefined,
        [hoist?.derefInto(), main.derefInto(), fileName, stepNumber],
        {
          result: { promise: true, copy: true },
          timeout: timeoutMs,
        },
      );
      const summary = parseStepSummary(raw, this.#outputCap);
      // The summary has the step's whole kept output; chunks sent while it ran may still be in flight.
      this.#output.reset(stepNumber);
      this.#output.append(summary.output, summary.outputTotalChars, undefined, stepNumber);
      return { ...summary, output: this.#output.text, outputTotalChars: this.#output.totalChars };
    } finally {
      for (const reference of functions) releaseQuietly(reference);
    }
  }

  async listVariables(): Promise<VariableInfo[]> {
    const raw: unknown = await this.#listVariables.apply(undefined, [], {
      result: { copy: true },
      timeout: LIST_VARIABLES_TIMEOUT_MS,
    });
    return parseVariables(raw);
  }

  /** The user globals and answer state, between steps (see state-snapshot.ts). */
  snapshot(): Promise<ReplSnapshot> {
    return takeSnapshot(this.#snapshotBridge);
  }

  /** Defines a snapshot's globals; call before the first step. Resolves to what was not restored. */
  restore(snapshot: ReplSnapshot): Promise<SkippedGlobal[]> {
    return restoreSnapshot(this.#snapshotBridge, snapshot);
  }

  /** Idempotent. Anything still running in the isolate is abandoned; late host results are dropped by isolated-vm. */
  dispose(): void {
    this.#gate.open = false;
    if (!this.#isolate.isDisposed) {
      this.#disposedByUs = true;
      this.#isolate.dispose();
    }
    for (const reference of [
      this.#runStep,
      this.#listVariables,
      this.#snapshotHelper,
      ...this.#hostReferences,
    ])
      releaseQuietly(reference);
    releaseQuietly(this.#context);
  }

  async #compileFunction(
    source: string,
    fileName: string,
    timeoutMs: number,
  ): Promise<ivm.Reference> {
    const script = await this.#isolate.compileScript(source, {
      filename: fileName,
      lineOffset: WRAPPER_LINE_OFFSET,
    });
    try {
      return await script.run(this.#context, { reference: true, timeout: timeoutMs });
    } finally {
      script.release();
    }
  }
}

function releaseQuietly(handle: { release(): void }): void {
  try {
    handle.release();
  } catch {
    // Already released, or its isolate is gone: nothing left to free.
  }
}
