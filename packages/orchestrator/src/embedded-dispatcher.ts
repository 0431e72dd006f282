/**
 * The embedded driver of the Dispatcher port: everything runs in this
 * process, with no Redis. LLM calls go straight to the completion port, REPL
 * steps to the step port (which keeps live isolates), and child sessions run
 * the same session loop recursively.
 */
import type {
  CompletionPort,
  Dispatcher,
  LlmCallOutcome,
  LlmCallTask,
  RequestRuntime,
  SessionOutcome,
  SessionTask,
  StepPort,
  StepResult,
  StepTask,
} from '@rlm/shared';
import { runSession } from './session/run-session.ts';

export interface EmbeddedDispatcherOptions {
  readonly completions: CompletionPort;
  readonly steps: StepPort;
}

export class EmbeddedDispatcher implements Dispatcher {
  private readonly completions: CompletionPort;
  private readonly steps: StepPort;

  constructor(options: EmbeddedDispatcherOptions) {
    this.completions = options.completions;
    this.steps = options.steps;
  }

  complete(task: LlmCallTask, runtime: RequestRuntime): Promise<LlmCallOutcome> {
    return this.completions.complete(task, runtime);
  }

  executeStep(task: StepTask, runtime: RequestRuntime): Promise<StepResult> {
    return this.steps.executeStep(task, runtime, this);
  }

  runSession(task: SessionTask, runtime: RequestRuntime): Promise<SessionOutcome> {
    return runSession(task, runtime, this);
  }

  endSession(sessionId: string): Promise<void> {
    return this.steps.endSession(sessionId);
  }
}
