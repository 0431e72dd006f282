import type { ContextValue, ReplLanguage, StepResult } from '@rlm/shared';
import { PythonReplSession } from '../python/python-repl-session.ts';
import { ReplSession } from '../sandbox/index.ts';
import type { ReplHost, StepOptions } from '../sandbox/index.ts';

/**
 * A live REPL of either language, as the step executors use it: steps run in call order against
 * state kept between them; a step that is killed resets the state and says so in its result.
 * Both languages reach the host through the same ReplHost (the SubcallHost), so every host-side
 * limit on sub-calls applies to both.
 */
export interface StepRepl {
  /** Rejects only if the session was disposed or no sandbox can start. */
  execute(code: string, options: StepOptions): Promise<StepResult>;
  /** Idempotent. A step that is running ends with reset `cancelled`. */
  dispose(): void;
}

export interface StepReplOptions {
  readonly language: ReplLanguage;
  readonly context: ContextValue;
  readonly host: ReplHost;
}

export function createStepRepl(options: StepReplOptions): Promise<StepRepl> {
  const { context, host } = options;
  return options.language === 'python'
    ? PythonReplSession.create({ context, host })
    : ReplSession.create({ context, host });
}
