/**
 * Runs cluster REPL steps statelessly. The REPL state after step n is a
 * snapshot blob recorded with the step's result; step n+1 restores it on any
 * worker. A worker that still holds the live isolate at version n reuses it
 * (the sticky fast path); correctness never depends on that.
 */
import { RlmError } from '@rlm/shared';
import type { BlobStore, ContextValue, Dispatcher, RequestRuntime, StepRecordStore, StepResult, StepTask } from '@rlm/shared';
import { withStepSpan } from '../repl/step-span.ts';
import { SubcallHost } from '../repl/subcall-host.ts';
import type { SubcallScope } from '../repl/subcall-host.ts';
import { parseSnapshot, ReplSession, serializeSnapshot } from '../sandbox/index.ts';

interface LiveSession {
  readonly repl: ReplSession;
  readonly host: SubcallHost;
  version: number;
}

export interface SnapshotStepExecutorOptions {
  readonly blobs: BlobStore;
  readonly records: StepRecordStore;
  /** Live isolates kept for the sticky fast path; the least recently used is disposed first. */
  readonly maxLiveSessions?: number;
}

export class SnapshotStepExecutor {
  private readonly options: SnapshotStepExecutorOptions;
  private readonly live = new Map<string, LiveSession>();

  constructor(options: SnapshotStepExecutorOptions) {
    this.options = options;
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
    const executed = await session.repl.execute(task.code, { timeoutMs: task.settings.stepTimeoutMs, signal: runtime.signal });
    const result = { ...executed, subcallSpend: session.host.spent() };
    const snapshotHash = await this.options.blobs.put(serializeSnapshot(await session.repl.snapshot()));
    await this.options.records.save(task.sessionId, task.step, { result, snapshotHash });
    session.version = task.step;
    return result;
  }

  /** Disposes every live isolate (graceful shutdown). */
  close(): void {
    for (const session of this.live.values()) session.repl.dispose();
    this.live.clear();
  }

  private async sessionAt(task: StepTask, scope: SubcallScope): Promise<LiveSession> {
    const cached = this.live.get(task.sessionId);
    this.live.delete(task.sessionId);
    if (cached !== undefined && cached.version === task.step - 1) {
      this.live.set(task.sessionId, cached); // most recently used goes last
      return cached;
    }
    cached?.repl.dispose();
    const context = await this.loadContext(task);
    const previous = task.step > 1 ? await this.options.records.load(task.sessionId, task.step - 1) : undefined;
    const snapshotText = previous === undefined ? undefined : await this.options.blobs.get(previous.snapshotHash);
    const host = new SubcallHost(scope);
    const repl = await ReplSession.create({
      context,
      host,
      ...(snapshotText === undefined ? {} : { restore: parseSnapshot(snapshotText) }),
    });
    const session = { repl, host, version: task.step - 1 };
    this.live.set(task.sessionId, session);
    this.evict();
    return session;
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

  private async loadContext(task: StepTask): Promise<ContextValue> {
    if (task.context.kind === 'inline') return task.context.value;
    const text = await this.options.blobs.get(task.context.hash);
    if (text === undefined) throw new RlmError('internal', `context blob ${task.context.hash} is missing from Redis`);
    return task.context.format === 'json' ? (JSON.parse(text) as ContextValue) : text;
  }
}
