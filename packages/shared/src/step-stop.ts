/**
 * Ids on the CancellationBus that stop the sub-calls of one REPL step in every process, without
 * stopping the request: a worker whose step was killed (watchdog, memory, cancel) stops its step
 * id, and the workers running that step's LLM jobs abort them (issue 12: a killed step's in-flight
 * calls must not hold the request's concurrency slots). The id lives under the root id, so it is
 * never mistaken for a root's own stop flag.
 */
export function stepStopId(rootId: string, sessionId: string, step: number): string {
  return `${rootId}#step:${sessionId}.${step}`;
}

/** The step stop id of a sub-call, whose call id is `<session>.<step>.<n>` (SubcallHost). */
export function stepStopIdOfCall(rootId: string, callId: string): string | undefined {
  const last = callId.lastIndexOf('.');
  return last <= 0 ? undefined : `${rootId}#step:${callId.slice(0, last)}`;
}
