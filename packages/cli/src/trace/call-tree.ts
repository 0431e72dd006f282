/**
 * Rebuilds the call tree of a run from its trajectory events:
 * session > turns (root-model replies) > code steps > sub-calls > child sessions.
 * Events arrive interleaved (sub-calls run in parallel); ids put them in place.
 * Pure: records in, tree out. Events that name an unknown parent are ignored
 * rather than fatal, so a truncated file (a crashed run) still shows what it has.
 */
import { addUsage, ZERO_USAGE } from '@rlm/shared';
import type {
  CompactionEvent,
  CompletionEndEvent,
  IterationEndEvent,
  RlmEvent,
  SessionEndEvent,
  SessionStartEvent,
  StepEndEvent,
  StepStartEvent,
  SubcallEndEvent,
  SubcallStartEvent,
  TokenUsage,
  ToolEndEvent,
} from '@rlm/shared';

export interface SessionNode {
  readonly start: SessionStartEvent;
  end?: SessionEndEvent;
  readonly turns: TurnNode[];
}

export interface TurnNode {
  readonly iteration: number;
  readonly forcedFinal: boolean;
  completion?: CompletionEndEvent;
  /** The conversation was compacted before this turn's request. */
  compaction?: CompactionEvent;
  end?: IterationEndEvent;
  readonly steps: StepNode[];
}

export interface StepNode {
  readonly start: StepStartEvent;
  end?: StepEndEvent;
  readonly subcalls: SubcallNode[];
  /** Caller-tool calls the step made (they run in the caller's process: leaves). */
  readonly tools: ToolEndEvent[];
}

export interface SubcallNode {
  readonly start: SubcallStartEvent;
  end?: SubcallEndEvent;
  child?: SessionNode;
}

/** Sums over a session and everything below it. */
export interface SubtreeTotals {
  readonly sessions: number;
  readonly maxDepth: number;
  readonly iterations: number;
  readonly steps: number;
  readonly subcalls: number;
  readonly cacheHits: number;
  readonly errors: number;
  readonly usage: TokenUsage;
  readonly costUsd: number;
}

/** The root sessions found (normally one), in order of appearance. */
export function buildCallTree(events: readonly RlmEvent[]): SessionNode[] {
  const roots: SessionNode[] = [];
  const sessions = new Map<string, SessionNode>();
  const subcalls = new Map<string, SubcallNode>();
  const lastTurn = (sessionId: string): TurnNode | undefined =>
    sessions.get(sessionId)?.turns.at(-1);
  const findStep = (sessionId: string, step: number | undefined): StepNode | undefined => {
    const turns = sessions.get(sessionId)?.turns ?? [];
    for (const turn of turns) {
      const found = turn.steps.find((node) => node.start.step === step);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  for (const event of events) {
    switch (event.type) {
      case 'session-start': {
        // A session resumed on another orchestrator (cluster crash recovery) starts again: keep the first node.
        if (sessions.has(event.sessionId)) break;
        const node: SessionNode = { start: event, turns: [] };
        sessions.set(event.sessionId, node);
        const parent =
          event.parentCallId === undefined ? undefined : subcalls.get(event.parentCallId);
        if (parent === undefined) roots.push(node);
        else parent.child = node;
        break;
      }
      case 'session-end': {
        const node = sessions.get(event.sessionId);
        if (node !== undefined) node.end = event;
        break;
      }
      case 'iteration-start':
        sessions
          .get(event.sessionId)
          ?.turns.push({ iteration: event.iteration, forcedFinal: false, steps: [] });
        break;
      case 'completion-end': {
        const session = sessions.get(event.sessionId);
        if (session === undefined) break;
        let turn = event.forcedFinal
          ? undefined
          : session.turns.find((candidate) => candidate.iteration === event.iteration);
        if (turn === undefined) {
          turn = { iteration: event.iteration, forcedFinal: event.forcedFinal, steps: [] };
          session.turns.push(turn);
        }
        turn.completion = event;
        break;
      }
      case 'iteration-end': {
        const turn = sessions
          .get(event.sessionId)
          ?.turns.find(
            (candidate) => candidate.iteration === event.iteration && !candidate.forcedFinal,
          );
        if (turn !== undefined) turn.end = event;
        break;
      }
      case 'step-start':
        lastTurn(event.sessionId)?.steps.push({ start: event, subcalls: [], tools: [] });
        break;
      case 'step-end': {
        const step = findStep(event.sessionId, event.step);
        if (step !== undefined) step.end = event;
        break;
      }
      case 'subcall-start': {
        const node: SubcallNode = { start: event };
        subcalls.set(event.callId, node);
        findStep(event.sessionId, event.step)?.subcalls.push(node);
        break;
      }
      case 'subcall-end': {
        const node = subcalls.get(event.callId);
        if (node !== undefined) node.end = event;
        break;
      }
      case 'tool-end':
        findStep(event.sessionId, event.step)?.tools.push(event);
        break;
      case 'compaction': {
        const turn = lastTurn(event.sessionId);
        if (turn !== undefined) turn.compaction = event;
        break;
      }
    }
  }
  return roots;
}

export function subtreeTotals(session: SessionNode): SubtreeTotals {
  let totals: SubtreeTotals = {
    sessions: 1,
    maxDepth: session.start.depth,
    iterations: session.turns.filter((turn) => !turn.forcedFinal).length,
    steps: 0,
    subcalls: 0,
    cacheHits: 0,
    errors: session.end?.error === undefined ? 0 : 1,
    usage: session.end?.usage ?? sumTurnUsage(session),
    costUsd:
      session.end?.costUsd ??
      session.turns.reduce((sum, turn) => sum + (turn.completion?.costUsd ?? 0), 0),
  };
  for (const turn of session.turns) {
    for (const step of turn.steps) {
      totals = {
        ...totals,
        steps: totals.steps + 1,
        errors:
          totals.errors + (step.end?.error === undefined ? 0 : 1) + step.tools.filter((tool) => tool.error !== undefined).length,
      };
      for (const call of step.subcalls) {
        totals = {
          ...totals,
          subcalls: totals.subcalls + 1,
          cacheHits: totals.cacheHits + (call.end?.cacheHit === true ? 1 : 0),
          errors: totals.errors + (call.end?.error === undefined ? 0 : 1),
          usage: addUsage(totals.usage, call.end?.usage ?? ZERO_USAGE),
          costUsd: totals.costUsd + (call.end?.costUsd ?? 0),
        };
        if (call.child !== undefined) totals = mergeTotals(totals, subtreeTotals(call.child));
      }
    }
  }
  return totals;
}

export function mergeTotals(a: SubtreeTotals, b: SubtreeTotals): SubtreeTotals {
  return {
    sessions: a.sessions + b.sessions,
    maxDepth: Math.max(a.maxDepth, b.maxDepth),
    iterations: a.iterations + b.iterations,
    steps: a.steps + b.steps,
    subcalls: a.subcalls + b.subcalls,
    cacheHits: a.cacheHits + b.cacheHits,
    errors: a.errors + b.errors,
    usage: addUsage(a.usage, b.usage),
    costUsd: a.costUsd + b.costUsd,
  };
}

function sumTurnUsage(session: SessionNode): TokenUsage {
  return session.turns.reduce(
    (sum, turn) => addUsage(sum, turn.completion?.usage ?? ZERO_USAGE),
    ZERO_USAGE,
  );
}
