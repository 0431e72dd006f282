/**
 * Runs cluster REPL steps statelessly, in either REPL language (each has its own snapshot format). The REPL state after step n is a
 * snapshot blob recorded with the step's result; step n+1 restores it on any
 * worker. A worker that still holds the live isolate at version n reuses it
 * (the sticky fast path); correctness never depends on that.
 *
 * A conversation's question (issue 16) is a session of its own: its first step restores the
 * snapshot the conversation's previous step left (`ConversationStateStore`), with the contexts
 * added so far, and sets `history`; every step then records the conversation's latest snapshot.
 */
import { RlmError, stepStopId } from '@rlm/shared';
import type { BlobStore, CancellationBus, ContextRef, ContextValue, ConversationStateStore, Dispatcher, RequestRuntime, StepRecordStore, StepResult, StepTask } from '@rlm/shared';
import { runStepWithHistory } from '../repl/conversation-repl.ts';
import { withStepSpan } from '../repl/step-span.ts';
import { SubcallHost } from '../repl/subcall-host.ts';
import type { SubcallScope } from '../repl/subcall-host.ts';
import { PythonSandboxPool } from '../python/sandbox-pool.ts';
import { createSnapshotRepl, settingsReplOptions } from '../repl/step-repl.ts';
import type { SnapshotRepl } from '../repl/step-repl.ts';

interface LiveSession {
  readonly repl: SnapshotRepl;
  readonly host: SubcallHost;
  version: number;
  /** A conversation's exchanges the REPL's `history` holds. */
  history: number;
}

export interface SnapshotStepExecutorOptions {
  readonly blobs: BlobStore;
  readonly records: StepRecordStore;
  /** Conversations' REPL state between questions; without it a question starts from an empty REPL. */
  readonly conversations?: ConversationStateStore;
  /** Live isolates kept for the sticky fast path; the least recently used is disposed first. */
  readonly maxLiveSessions?: number;
  /** Where a killed step announces that its sub-calls on other workers must stop (shared/src/step-stop.ts). */
  readonly bus?: CancellationBus;
  /** Python sandboxes kept loaded ahead of need (default 1; 0 loads each one on demand). */
  readonly pythonSpares?: number;
  /** Start loading the spares now (a cluster whose default REPL is Python), not at the first Python step. */
  readonly prewarmPython?: boolean;
}

export class SnapshotStepExecutor {
  private readonly options: SnapshotStepExecutorOptions;
  private readonly live = new Map<string, LiveSession>();
  /** Started with the executor when it prewarms, else with the first Python step, so workers that only see JavaScript never load Pyodide. */
  private pythonPool: PythonSandboxPool | undefined;

  constructor(options: SnapshotStepExecutorOptions) {
    this.options = options;
    if (options.prewarmPython === true) this.pool().fill();
  }

  private pool(): PythonSandboxPool {
    this.pythonPool ??= new PythonSandboxPool({ spares: this.options.pythonSpares ?? 1 });
    return this.pythonPool;
  }

  async executeStep(task: StepTask, runtime: RequestRuntime, dispatcher: Dispatcher): Promise<StepResult> {
    const recorded = await this.options.records.load(task.sessionId, task.step);
    if (recorded !== undefined) return recorded.result; // a re-delivered step: never run twice
    return withStepSpan(task, (trace) => this.execute({ task, runtime, dispatcher, trace }));
  }

  private async execute(scope: SubcallScope): Promise<StepResult> {
    const { task, runtime } = scope;
    const session = await this.sessionAt(task, scope);
    session.host.bind(scope);
    let result: StepResult;
    try {
      const stepOptions = { timeoutMs: task.settings.stepTimeoutMs, signal: runtime.signal };
      const executed = await runStepWithHistory(session.repl, task, session, stepOptions);
      result = { ...executed, subcallSpend: session.host.spent() };
    } finally {
      // A killed step's sub-calls must not outlive it (step-runtime.ts), here or on other workers.
      session.host.endStep();
    }
    if (result.reset !== undefined)
      await this.options.bus?.stop(stepStopId(runtime.rootId, task.sessionId, task.step), 'step ended').catch(() => undefined);
    const snapshotHash = await this.options.blobs.put(await session.repl.snapshotText());
    await this.options.records.save(task.sessionId, task.step, { result, snapshotHash });
    if (task.conversation !== undefined) await this.options.conversations?.save(task.conversation.conversationId, snapshotHash);
    session.version = task.step;
    return result;
  }

  /** Disposes every live isolate (graceful shutdown). */
  close(): void {
    for (const session of this.live.values()) session.repl.dispose();
    this.live.clear();
    this.pythonPool?.close();
  }

  private async sessionAt(task: StepTask, scope: SubcallScope): Promise<LiveSession> {
    const cached = this.live.get(task.sessionId);
    this.live.delete(task.sessionId);
    if (cached !== undefined && cached.version === task.step - 1) {
      this.live.set(task.sessionId, cached); // most recently used goes last
      return cached;
    }
    cached?.repl.dispose();
    const context = await this.loadContext(task.context);
    const extraContexts =
      task.conversation === undefined ? undefined : await Promise.all(task.conversation.contexts.map((ref) => this.loadContext(ref)));
    const snapshotText = await this.stateBefore(task);
    const host = new SubcallHost(scope);
    const fromSettings = settingsReplOptions(task.settings);
    const repl = await createSnapshotRepl({
      ...fromSettings,
      ...(fromSettings.language === 'python' ? { pythonPool: this.pool() } : {}),
      context,
      ...(extraContexts === undefined ? {} : { extraContexts }),
      host,
      ...(snapshotText === undefined ? {} : { restore: snapshotText }),
    });
    const session = { repl, host, version: task.step - 1, history: 0 };
    this.live.set(task.sessionId, session);
    this.evict();
    return session;
  }

  /** The snapshot text step n starts from: step n-1's, or for a question's first step its conversation's latest. */
  private async stateBefore(task: StepTask): Promise<string | undefined> {
    let hash: string | undefined;
    if (task.step > 1) hash = (await this.options.records.load(task.sessionId, task.step - 1))?.snapshotHash;
    else if (task.conversation !== undefined) hash = await this.options.conversations?.load(task.conversation.conversationId);
    // No state (or an expired one) starts an empty REPL: the model sees its variables are gone.
    return hash === undefined ? undefined : this.options.blobs.get(hash);
  }

  private evict(): void {
    const max = this.options.maxLiveSessions ?? 32;
    while (this.live.size > max) {
      const [oldest] = this.live.keys();
      if (oldest === undefined) break;
      this.live.get(oldest)?.repl.dispose();
      this.live.delete(oldest);
    }
  }

  private async loadContext(ref: ContextRef): Promise<ContextValue> {
    if (ref.kind === 'inline') return ref.value;
    const text = await this.options.blobs.get(ref.hash);
    if (text === undefined) throw new RlmError('internal', `context blob ${ref.hash} is missing from Redis`);
    return ref.format === 'json' ? (JSON.parse(text) as ContextValue) : text;
  }
}
