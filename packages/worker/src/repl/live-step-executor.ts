/**
 * The embedded step port: one live REPL per session (an isolate, or a Python sandbox process),
 * kept between steps (the sticky fast path; the context is copied in once). Cluster mode adds
 * snapshots so that any worker can run the next step.
 *
 * A conversation's REPL (issue 16) lives under the conversation's id, so the session loop's
 * `endSession` at the end of a question leaves it alive; `endSession(conversationId)` frees it.
 * A context added to the conversation reloads the REPL from its own snapshot with the new
 * `context_<n>` (what a snapshot cannot carry is named in the next step's output, as in cluster mode).
 *
 * Each live session reserves its sandbox's memory limit (the isolate's, or the Python heap's)
 * from the request's sandbox memory budget (`RequestRuntime.capacity`): a request whose REPLs (root and rlm_query children) would
 * together exceed it gets an error for the session that does not fit, not a host out of memory.
 */
import { RlmError } from '@rlm/shared';
import type { ContextRef, ContextValue, Dispatcher, RequestRuntime, StepPort, StepResult, StepTask } from '@rlm/shared';
import { pythonSessionMemoryMb } from '../python/python-repl-session.ts';
import { PythonSandboxPool } from '../python/sandbox-pool.ts';
import { defaultMemoryLimitMb } from '../sandbox/index.ts';
import { replKeyOf, runStepWithHistory } from './conversation-repl.ts';
import { createSnapshotRepl, settingsReplOptions } from './step-repl.ts';
import type { SnapshotRepl } from './step-repl.ts';
import { withStepSpan } from './step-span.ts';
import { SubcallHost } from './subcall-host.ts';
import type { SubcallScope } from './subcall-host.ts';

interface LiveSession {
  readonly repl: SnapshotRepl;
  readonly host: SubcallHost;
  /** Gives the session's memory back to the request's budget. */
  readonly release: () => void;
  /** A conversation's added contexts the REPL holds. */
  readonly contexts: number;
  /** A conversation's exchanges the REPL's `history` holds (set before a question's first step). */
  history: number;
}

export interface LiveStepExecutorOptions {
  /** Python sandboxes kept loaded ahead of need (default 1; 0 loads each one on demand). */
  readonly pythonSpares?: number;
  /** Start loading the spares now (an engine whose default REPL is Python), not at the first Python session. */
  readonly prewarmPython?: boolean;
}

export class LiveStepExecutor implements StepPort {
  private readonly sessions = new Map<string, Promise<LiveSession>>();
  readonly #pythonSpares: number;
  /** Started with the engine when it prewarms, else with the first Python session, so JavaScript-only users never load Pyodide. */
  private pythonPool: PythonSandboxPool | undefined;

  constructor(options: LiveStepExecutorOptions = {}) {
    this.#pythonSpares = options.pythonSpares ?? 1;
    if (options.prewarmPython === true) this.#pool().fill();
  }

  /** Resolves when the Python spares have loaded, so the next Python session starts without waiting for Pyodide. */
  warmPython(): Promise<void> {
    return this.#pool().ready();
  }

  /** Kills the spare Python sandboxes; live sessions end through endSession. */
  close(): void {
    this.pythonPool?.close();
    this.pythonPool = undefined;
  }

  #pool(): PythonSandboxPool {
    this.pythonPool ??= new PythonSandboxPool({ spares: this.#pythonSpares });
    return this.pythonPool;
  }

  executeStep(task: StepTask, runtime: RequestRuntime, dispatcher: Dispatcher): Promise<StepResult> {
    return withStepSpan(task, (trace) => this.execute({ task, runtime, dispatcher, trace }));
  }

  private async execute(scope: SubcallScope): Promise<StepResult> {
    const { task, runtime } = scope;
    const key = replKeyOf(task);
    let live = this.sessions.get(key);
    if (live === undefined) {
      live = this.open(scope);
      this.sessions.set(key, live);
    }
    let session = await live;
    if (task.conversation !== undefined && session.contexts < task.conversation.contexts.length) {
      live = this.reload(session, scope);
      this.sessions.set(key, live);
      session = await live;
    }
    session.host.bind(scope);
    try {
      const stepOptions = { timeoutMs: task.settings.stepTimeoutMs, signal: runtime.signal };
      const result = await runStepWithHistory(session.repl, task, session, stepOptions);
      return { ...result, subcallSpend: session.host.spent() };
    } finally {
      // A killed step's sub-calls must not outlive it (step-runtime.ts).
      session.host.endStep();
    }
  }

  private async open(scope: SubcallScope): Promise<LiveSession> {
    const { task, runtime } = scope;
    const context = inlineContext(task.context);
    const extraContexts = task.conversation?.contexts.map(inlineContext);
    const fromSettings = settingsReplOptions(task.settings);
    // What the sandbox may really hold: a Python session's heap limit (its own, or a pooled
    // process's), not the isolate limit the JavaScript REPL would get for this context.
    const memoryLimitMb =
      fromSettings.language === 'python'
        ? pythonSessionMemoryMb({ context, pool: this.#pool() })
        : defaultMemoryLimitMb(extraContexts === undefined ? context : [context, ...extraContexts]);
    const budget = runtime.capacity?.sandboxMemory;
    const release = budget === undefined ? () => {} : budget.reserve(memoryLimitMb);
    if (release === undefined) {
      throw new RlmError(
        'sandbox',
        `no REPL could start for this session: the request's live REPLs already hold ${budget?.reservedMb ?? 0} MB of its ${budget?.limitMb ?? 0} MB sandbox memory budget (maxSandboxMemoryMb) and this one needs ${memoryLimitMb} MB; use llm_query, or fewer rlm_query calls at once`,
      );
    }
    const host = new SubcallHost(scope);
    try {
      const repl = await createSnapshotRepl({
        ...fromSettings,
        context,
        ...(extraContexts === undefined ? {} : { extraContexts }),
        host,
        ...(fromSettings.language === 'python' ? { pythonPool: this.#pool() } : {}),
        memoryLimitMb,
      });
      return { repl, host, release, contexts: extraContexts?.length ?? 0, history: 0 };
    } catch (error) {
      release();
      throw error;
    }
  }

  /**
   * A conversation REPL with every context added so far, restored from the old one's snapshot.
   * Sized by the snapshot (the reservation taken at the start stays as it was).
   */
  private async reload(session: LiveSession, scope: SubcallScope): Promise<LiveSession> {
    const { task } = scope;
    const restore = await session.repl.snapshotText();
    session.repl.dispose();
    const extraContexts = (task.conversation?.contexts ?? []).map(inlineContext);
    const fromSettings = settingsReplOptions(task.settings);
    const repl = await createSnapshotRepl({
      ...fromSettings,
      context: inlineContext(task.context),
      extraContexts,
      host: session.host,
      restore,
      ...(fromSettings.language === 'python' ? { pythonPool: this.#pool() } : {}),
    });
    return { ...session, repl, contexts: extraContexts.length };
  }

  /** Frees a session's REPL, or a conversation's when given its id. */
  async endSession(sessionId: string): Promise<void> {
    const live = this.sessions.get(sessionId);
    this.sessions.delete(sessionId);
    if (live === undefined) return;
    try {
      const session = await live;
      session.repl.dispose();
      session.release();
    } catch {
      // A session whose isolate never started has nothing to free (its reservation was returned).
    }
  }

  /** Live sessions, for diagnostics and leak tests. */
  get liveSessions(): number {
    return this.sessions.size;
  }
}

function inlineContext(context: ContextRef): ContextValue {
  if (context.kind === 'inline') return context.value;
  throw new RlmError('internal', 'the embedded step executor only takes inline contexts');
}
