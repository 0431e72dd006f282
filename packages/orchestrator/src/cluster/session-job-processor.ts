/**
 * Consumer of the `session-d<n>` queues: one session loop, its turns and
 * steps dispatched onto the queues. Checkpoints after every turn let another
 * orchestrator resume the session if this one dies.
 */
import { serializeError, SessionJobData, withJobSpan } from '@rlm/shared';
import type {
  Dispatcher,
  RuntimeFactory,
  SessionOutcome,
  SessionStore,
  SerializedError,
  TracedJob,
} from '@rlm/shared';
import { runSession } from '../session/run-session.ts';

export type SessionJobOutcome =
  | { readonly ok: true; readonly value: SessionOutcome }
  | { readonly ok: false; readonly error: SerializedError };

export interface SessionJobDeps {
  readonly dispatcher: Dispatcher;
  readonly runtimes: RuntimeFactory;
  readonly sessions: SessionStore;
}

export function createSessionJobProcessor(
  deps: SessionJobDeps,
): (job: TracedJob) => Promise<SessionJobOutcome> {
  return (job) =>
    withJobSpan(job, async () => {
      const data = SessionJobData.parse(job.data);
      const runtime = deps.runtimes.open(data.root);
      try {
        const outcome = await runSession(
          {
            sessionId: data.sessionId,
            ...(data.parentSessionId === undefined
              ? {}
              : { parentSessionId: data.parentSessionId }),
            depth: data.depth,
            context: { kind: 'blob', hash: data.contextHash, format: data.contextFormat },
            contextMetadata: data.contextMetadata,
            query: data.query,
            settings: data.settings,
          },
          runtime,
          deps.dispatcher,
          deps.sessions,
        );
        return { ok: true, value: outcome };
      } catch (error) {
        return { ok: false, error: serializeError(error) };
      } finally {
        runtime.close();
      }
    });
}
