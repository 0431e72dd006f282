/**
 * The session loop (DESIGN section 2), at any depth:
 *
 *   messages = [system prompt, context metadata + query]
 *   each turn: stop? -> ask the root model -> run its code blocks in order
 *              -> final answer? done -> else feed back output (or a nudge)
 *   out of turns: ask once for a final answer, stopReason max_iterations
 */
import {
  addSpend,
  addUsage,
  describeContext,
  FORCED_FINAL_MESSAGE,
  hashValue,
  isRlmError,
  RlmError,
  serializeError,
  ZERO_SPEND,
  ZERO_USAGE,
} from '@rlm/shared';
import type {
  ChatMessage,
  ContextMetadata,
  Dispatcher,
  LlmCallOutcome,
  RequestRuntime,
  SessionOutcome,
  SessionStore,
  SessionTask,
  Spend,
  StepResult,
  StopReason,
  TokenUsage,
} from '@rlm/shared';
import { extractCodeBlocks, findTextFinal, stripTypes, truncateOutput } from '../parsing/index.ts';
import type { CodeBlock, TextFinal } from '../parsing/index.ts';
import { NUDGE_MESSAGE, renderFinalVarFailure, renderStepFeedback } from '../prompts/feedback.ts';
import { renderConversationNotes } from '../prompts/conversation-notes.ts';
import { renderRootUserMessage } from '../prompts/root-message.ts';
import { buildSystemPrompt } from '../prompts/system-prompt.ts';
import { answerCapOf, answerTooLargeMessage, capStepAnswer } from './answer-cap.ts';
import { Compactor } from './compaction.ts';
import { withIterationSpan, withSessionSpan } from './session-spans.ts';
import { interruptedBy, shouldStop } from './stop-conditions.ts';

interface LoopState {
  readonly task: SessionTask;
  readonly runtime: RequestRuntime;
  readonly dispatcher: Dispatcher;
  readonly store: SessionStore | undefined;
  readonly messages: ChatMessage[];
  iterations: number;
  steps: number;
  /** The best answer so far (`answer.content`), returned when a budget stops the session. */
  partialAnswer: string;
  /** This session's own root-model spend (for session-end; sub-calls report theirs). */
  usage: TokenUsage;
  costUsd: number;
  /** Everything spent under this session in this process: own turns, steps' sub-calls, children. */
  subtree: Spend;
  /** Keeps the conversation inside the root model's window (compaction.ts). */
  readonly compactor: Compactor;
}

type TurnResult =
  | { readonly done: true; readonly answer: string }
  | { readonly done: false; readonly feedback: string };

export function runSession(
  task: SessionTask,
  runtime: RequestRuntime,
  dispatcher: Dispatcher,
  store?: SessionStore,
): Promise<SessionOutcome> {
  return withSessionSpan(task, runtime, () => runSessionLoop(task, runtime, dispatcher, store));
}

async function runSessionLoop(
  task: SessionTask,
  runtime: RequestRuntime,
  dispatcher: Dispatcher,
  store: SessionStore | undefined,
): Promise<SessionOutcome> {
  // A checkpoint means another process ran this session before: resume after its last finished turn.
  const checkpoint = await store?.load(task.sessionId);
  const state: LoopState = {
    task,
    runtime,
    dispatcher,
    store,
    messages: checkpoint ? [...checkpoint.messages] : initialMessages(task),
    iterations: checkpoint?.iterations ?? 0,
    steps: checkpoint?.steps ?? 0,
    partialAnswer: checkpoint?.partialAnswer ?? '',
    usage: ZERO_USAGE,
    costUsd: 0,
    subtree: ZERO_SPEND,
    compactor: new Compactor(task),
  };
  const started = performance.now();
  runtime.emit({
    type: 'session-start',
    sessionId: task.sessionId,
    depth: task.depth,
    query: task.query,
    model: task.settings.model,
    // A child's session id is the callId of the rlm_query that started it (SubcallHost.callChild).
    ...(task.parentSessionId === undefined
      ? {}
      : { parentSessionId: task.parentSessionId, parentCallId: task.sessionId }),
    contextChars: contextMetadataOf(task)?.totalChars ?? 0,
  });
  let outcome: SessionOutcome;
  try {
    outcome = await loop(state);
  } catch (error) {
    const interrupted = interruptedBy(runtime);
    outcome = interrupted
      ? finish(state, state.partialAnswer, interrupted)
      : { ...finish(state, state.partialAnswer, 'error'), error: serializeError(error) };
  } finally {
    await dispatcher.endSession(task.sessionId);
  }
  runtime.emit({
    type: 'session-end',
    sessionId: task.sessionId,
    depth: task.depth,
    stopReason: outcome.stopReason,
    iterations: outcome.iterations,
    answer: outcome.answer,
    usage: state.usage,
    costUsd: state.costUsd,
    durationMs: performance.now() - started,
    ...(outcome.error === undefined ? {} : { error: outcome.error.message }),
  });
  return { ...outcome, spend: state.subtree };
}

async function loop(state: LoopState): Promise<SessionOutcome> {
  const { task, runtime } = state;
  while (state.iterations < task.settings.maxIterations) {
    const interrupted = await shouldStop(runtime);
    if (interrupted) return finish(state, state.partialAnswer, interrupted);
    state.iterations += 1;
    const iteration = state.iterations;
    runtime.emit({
      type: 'iteration-start',
      sessionId: task.sessionId,
      depth: task.depth,
      iteration,
    });
    const { reply, blocks, turn } = await withIterationSpan(task, iteration, async () => {
      await compactIfNeeded(state);
      const reply = await askRootModel(state, `t${iteration}`);
      const blocks = extractCodeBlocks(reply, task.settings.repl ?? 'js');
      return { reply, blocks, turn: await runTurn(state, reply, blocks) };
    });
    runtime.emit({
      type: 'iteration-end',
      sessionId: task.sessionId,
      depth: task.depth,
      iteration,
      codeBlocks: blocks.length,
      final: turn.done,
      ...(turn.done ? {} : { feedback: turn.feedback }),
    });
    if (turn.done) return finish(state, turn.answer, 'final');
    state.messages.push(
      { role: 'assistant', content: reply },
      { role: 'user', content: turn.feedback },
    );
    await state.store?.save(task.sessionId, {
      messages: state.messages,
      iterations: state.iterations,
      steps: state.steps,
      partialAnswer: state.partialAnswer,
    });
  }
  return forceFinalAnswer(state);
}

async function runTurn(
  state: LoopState,
  reply: string,
  blocks: readonly CodeBlock[],
): Promise<TurnResult> {
  const results: StepResult[] = [];
  for (const block of blocks) {
    const code = block.language === 'ts' ? safeStripTypes(block.code) : { code: block.code };
    const result =
      'error' in code ? syntaxErrorResult(code.error) : await runStep(state, code.code);
    results.push(result);
    if (result.final !== undefined) return { done: true, answer: result.final.value };
    if (interruptedBy(state.runtime)) break;
  }
  const textFinal = findTextFinal(reply);
  if (textFinal !== undefined && !interruptedBy(state.runtime)) {
    const resolved = await resolveTextFinal(state, textFinal);
    if (resolved.done) return resolved;
    return {
      done: false,
      feedback: [
        renderStepFeedback(results, state.task.settings.outputLimitChars),
        resolved.feedback,
      ]
        .filter(Boolean)
        .join('\n\n'),
    };
  }
  if (results.length === 0) return { done: false, feedback: NUDGE_MESSAGE };
  return {
    done: false,
    feedback: renderStepFeedback(results, state.task.settings.outputLimitChars),
  };
}

async function resolveTextFinal(state: LoopState, final: TextFinal): Promise<TurnResult> {
  if (final.kind === 'value') {
    const cap = answerCapOf(state.task.settings);
    if (final.value.length <= cap) return { done: true, answer: final.value };
    return { done: false, feedback: `FINAL(...) failed: ${answerTooLargeMessage(final.value.length, cap)}.` };
  }
  const result = await runStep(state, `FINAL_VAR(${JSON.stringify(final.name)})`);
  if (result.final !== undefined) return { done: true, answer: result.final.value };
  return {
    done: false,
    feedback: renderFinalVarFailure(final.name, result.error?.message ?? 'no such variable'),
  };
}

async function runStep(state: LoopState, code: string): Promise<StepResult> {
  state.steps += 1;
  const { task } = state;
  const ref = {
    sessionId: task.sessionId,
    depth: task.depth,
    iteration: state.iterations,
    step: state.steps,
  };
  state.runtime.emit({ type: 'step-start', ...ref, code });
  const raw = await state.dispatcher.executeStep(
    {
      sessionId: task.sessionId,
      depth: task.depth,
      step: state.steps,
      code,
      context: task.context,
      settings: task.settings,
      ...(task.conversation === undefined ? {} : { conversation: task.conversation }),
    },
    state.runtime,
  );
  const result = capStepAnswer(raw, answerCapOf(task.settings));
  if (result.subcallSpend !== undefined) state.subtree = addSpend(state.subtree, result.subcallSpend);
  if (result.partialAnswer !== undefined && result.partialAnswer.length > 0)
    state.partialAnswer = result.partialAnswer;
  if (state.runtime.observed) {
    state.runtime.emit({
      type: 'step-end',
      ...ref,
      output: truncateOutput(result.output, task.settings.outputLimitChars),
      outputTotalChars: result.outputTotalChars,
      pendingAwaited: result.pendingAwaited,
      durationMs: result.durationMs,
      ...(result.error === undefined ? {} : { error: result.error }),
      ...(result.final === undefined ? {} : { final: result.final.value }),
      ...(result.reset === undefined ? {} : { reset: result.reset }),
    });
  }
  return result;
}

/** Replaces the oldest turns by a summary when the conversation would outgrow the root model's window. */
async function compactIfNeeded(state: LoopState): Promise<void> {
  const compacted = await state.compactor.compact(state.messages, state.iterations, state.dispatcher, state.runtime);
  if (compacted === undefined) return;
  state.messages.splice(0, state.messages.length, ...compacted.messages);
  const { usage } = compacted.outcome.response;
  const costUsd = compacted.outcome.costUsd ?? 0;
  state.usage = addUsage(state.usage, usage);
  state.costUsd += costUsd;
  state.subtree = addSpend(state.subtree, { usage, costUsd, calls: 1 });
}

async function askRootModel(state: LoopState, turn: string): Promise<string> {
  const { task } = state;
  const started = performance.now();
  const outcome = await state.dispatcher.complete(
    {
      callId: `${task.sessionId}.${turn}`,
      sessionId: task.sessionId,
      depth: task.depth,
      purpose: 'root',
      request: {
        model: task.settings.model,
        messages: state.messages,
        maxTokens: task.settings.maxOutputTokens,
        ...(task.settings.temperature === undefined
          ? {}
          : { temperature: task.settings.temperature }),
      },
    },
    state.runtime,
  );
  const { response } = outcome;
  state.usage = addUsage(state.usage, response.usage);
  state.costUsd += outcome.costUsd ?? 0;
  state.subtree = addSpend(state.subtree, { usage: response.usage, costUsd: outcome.costUsd ?? 0, calls: 1 });
  // The request hash covers the whole conversation: only worth computing for a listener.
  if (state.runtime.observed) {
    emitCompletionEnd(state, turn, outcome, performance.now() - started);
  }
  return response.content;
}

function emitCompletionEnd(
  state: LoopState,
  turn: string,
  outcome: LlmCallOutcome,
  durationMs: number,
): void {
  const { task } = state;
  const { response } = outcome;
  state.runtime.emit({
    type: 'completion-end',
    sessionId: task.sessionId,
    depth: task.depth,
    callId: `${task.sessionId}.${turn}`,
    iteration: state.iterations,
    forcedFinal: turn === 'final',
    model: response.model,
    requestHash: hashValue(state.messages),
    messageCount: state.messages.length,
    reply: response.content,
    ...(response.finishReason === undefined ? {} : { finishReason: response.finishReason }),
    usage: response.usage,
    costUsd: outcome.costUsd ?? 0,
    durationMs,
  });
}

/** At the iteration limit: one more request, for the answer only; no code runs. */
async function forceFinalAnswer(state: LoopState): Promise<SessionOutcome> {
  state.messages.push({ role: 'user', content: FORCED_FINAL_MESSAGE });
  let reply: string;
  try {
    reply = await askRootModel(state, 'final');
  } catch (error) {
    if (isRlmError(error) && interruptedBy(state.runtime))
      return finish(state, state.partialAnswer, interruptedBy(state.runtime) ?? 'cancelled');
    throw error;
  }
  const final = findTextFinal(reply);
  let answer = reply.trim();
  if (final?.kind === 'value') answer = final.value;
  else if (final?.kind === 'var') {
    const resolved = await resolveTextFinal(state, final);
    answer = resolved.done ? resolved.answer : state.partialAnswer || answer;
  }
  return finish(state, answer || state.partialAnswer, 'max_iterations');
}

function initialMessages(task: SessionTask): ChatMessage[] {
  const system = buildSystemPrompt({
    depth: task.depth,
    maxDepth: task.settings.maxDepth,
    subModel: task.settings.subModel,
    outputLimitChars: task.settings.outputLimitChars,
    subcalls: task.settings.subcalls !== false,
    ...(task.settings.repl === undefined ? {} : { repl: task.settings.repl }),
    ...(task.settings.tools === undefined ? {} : { tools: task.settings.tools }),
  });
  const metadata = contextMetadataOf(task);
  if (metadata === undefined)
    throw new RlmError('internal', `session ${task.sessionId} has a blob context but no metadata`);
  const user = renderRootUserMessage(metadata, task.query, renderConversationNotes(task.conversation));
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

function contextMetadataOf(task: SessionTask): ContextMetadata | undefined {
  return (
    task.contextMetadata ??
    (task.context.kind === 'inline' ? describeContext(task.context.value) : undefined)
  );
}

function finish(state: LoopState, answer: string, stopReason: StopReason): SessionOutcome {
  return { answer, stopReason, iterations: state.iterations };
}

function safeStripTypes(code: string): { code: string } | { error: string } {
  try {
    return { code: stripTypes(code) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function syntaxErrorResult(message: string): StepResult {
  return {
    output: '',
    outputTotalChars: 0,
    error: { name: 'SyntaxError', message },
    variables: [],
    pendingAwaited: 0,
    durationMs: 0,
  };
}
