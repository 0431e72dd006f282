/**
 * The embedded step port: one live isolate per session, kept between steps
 * (the sticky fast path; the context is copied in once). Cluster mode adds
 * snapshots so that any worker can run the next step.
 */
import { RlmError } from '@rlm/shared';
import type { ContextRef, ContextValue, Dispatcher, RequestRuntime, StepPort, StepResult, StepTask } from '@rlm/shared';
import { ReplSession } from '../sandbox/index.ts';
import { withStepSpan } from './step-span.ts';
import { SubcallHost } from './subcall-host.ts';
import type { SubcallScope } from './subcall-host.ts';

interface LiveSession {
  readonly repl: ReplSession;
  readonly host: SubcallHost;
}

export class LiveStepExecutor implements StepPort {
  private readonly sessions = new Map<string, Promise<LiveSession>>();

  executeStep(task: StepTask, runtime: RequestRuntime, dispatcher: Dispatcher): Promise<StepResult> {
    return withStepSpan(task, (trace) => this.execute({ task, runtime, dispatcher, trace }));
  }

  private async execute(scope: SubcallScope): Promise<StepResult> {
    const { task, runtime } = scope;
    let live = this.sessions.get(task.sessionId);
    if (live === undefined) {
      const host = new SubcallHost(scope);
      live = ReplSession.create({ context: inlineContext(task.context), host }).then((repl) => ({ repl, host }));
      this.sessions.set(task.sessionId, live);
    }
    const session = await live;
    session.host.bind(scope);
    const result = await session.repl.execute(task.code, { timeoutMs: task.settings.stepTimeoutMs, signal: runtime.signal });
    return { ...result, subcallSpend: session.host.spent() };
  }

  async endSession(sessionId: string): Promise<void> {
    const live = this.sessions.get(sessionId);
    this.sessions.delete(sessionId);
    if (live === undefined) return;
    try {
      (await live).repl.dispose();
    } catch {
      // A session whose isolate never started has nothing to free.
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
