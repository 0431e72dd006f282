/**
 * The embedded step port: one live REPL per session (an isolate, or a Python sandbox process),
 * kept between steps (the sticky fast path; the context is copied in once). Cluster mode adds
 * snapshots so that any worker can run the next step.
 *
 * Each live session reserves its isolate's memory limit from the request's sandbox memory
 * budget (`RequestRuntime.capacity`): a request whose REPLs (root and rlm_query children) would
 * together exceed it gets an error for the session that does not fit, not a host out of memory.
 */
import { RlmError } from '@rlm/shared';
import type { ContextRef, ContextValue, Dispatcher, RequestRuntime, StepPort, StepResult, StepTask } from '@rlm/shared';
import { PythonSandboxPool } from '../python/sandbox-pool.ts';
import { defaultMemoryLimitMb } from '../sandbox/index.ts';
import { createStepRepl } from './step-repl.ts';
import type { StepRepl } from './step-repl.ts';
import { withStepSpan } from './step-span.ts';
import { SubcallHost } from './subcall-host.ts';
import type { SubcallScope } from './subcall-host.ts';

interface LiveSession {
  readonly repl: StepRepl;
  readonly host: SubcallHost;
  /** Gives the session's memory back to the request's budget. */
  readonly release: () => void;
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
    let live = this.sessions.get(task.sessionId);
    if (live === undefined) {
      live = this.open(scope);
      this.sessions.set(task.sessionId, live);
    }
    const session = await live;
    session.host.bind(scope);
    try {
      const result = await session.repl.execute(task.code, { timeoutMs: task.settings.stepTimeoutMs, signal: runtime.signal });
      return { ...result, subcallSpend: session.host.spent() };
    } finally {
      // A killed step's sub-calls must not outlive it (step-runtime.ts).
      session.host.endStep();
    }
  }

  private async open(scope: SubcallScope): Promise<LiveSession> {
    const { task, runtime } = scope;
    const context = inlineContext(task.context);
    const memoryLimitMb = defaultMemoryLimitMb(context);
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
      const language = task.settings.repl ?? 'js';
      const repl = await createStepRepl({
        language,
        context,
        host,
        ...(language === 'python' ? { pythonPool: this.#pool() } : {}),
        memoryLimitMb,
        ...(task.settings.maxAnswerChars === undefined ? {} : { maxAnswerChars: task.settings.maxAnswerChars }),
        ...(task.settings.tools === undefined ? {} : { toolNames: task.settings.tools.map((tool) => tool.name) }),
      });
      return { repl, host, release };
    } catch (error) {
      release();
      throw error;
    }
  }

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
