import type { ContextValue, ReplLanguage, SessionSettings, StepResult } from '@rlm/shared';
import { PythonReplSession } from '../python/python-repl-session.ts';
import type { PythonSandboxPool } from '../python/sandbox-pool.ts';
import { parseSnapshot, ReplSession, serializeSnapshot } from '../sandbox/index.ts';
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
  /** A conversation's contexts after the first (`context_1`, ...; then `context_0` names `context` too). */
  readonly extraContexts?: readonly ContextValue[];
  readonly host: ReplHost;
  /** Python sandboxes with Pyodide loaded ahead of need (Python only). */
  readonly pythonPool?: PythonSandboxPool;
  /** The isolate's memory limit, MB (JavaScript only; the Python sandbox has its own cap). */
  readonly memoryLimitMb?: number;
  /** Largest final answer the sandbox hands out (both languages refuse a longer one inside; the session loop checks again). */
  readonly maxAnswerChars?: number;
  /** Names of the caller's tools (functions in either language's REPL). */
  readonly toolNames?: readonly string[];
}

/** The options a session's settings decide, for every executor that opens a REPL for it. */
export function settingsReplOptions(settings: SessionSettings): Pick<StepReplOptions, 'language' | 'maxAnswerChars' | 'toolNames'> {
  return {
    language: settings.repl ?? 'js',
    ...(settings.maxAnswerChars === undefined ? {} : { maxAnswerChars: settings.maxAnswerChars }),
    ...(settings.tools === undefined ? {} : { toolNames: settings.tools.map((tool) => tool.name) }),
  };
}

/** What both languages take: the caller's tools and a conversation's added contexts. */
function sharedOptions(options: StepReplOptions): { toolNames?: readonly string[]; extraContexts?: readonly ContextValue[] } {
  return {
    ...(options.toolNames === undefined ? {} : { toolNames: options.toolNames }),
    ...(options.extraContexts === undefined ? {} : { extraContexts: options.extraContexts }),
  };
}

/** The JavaScript sandbox's share of the options. */
function jsLimits(options: StepReplOptions): ReturnType<typeof sharedOptions> & { memoryLimitMb?: number; maxAnswerChars?: number } {
  return {
    ...sharedOptions(options),
    ...(options.memoryLimitMb === undefined ? {} : { memoryLimitMb: options.memoryLimitMb }),
    ...(options.maxAnswerChars === undefined ? {} : { maxAnswerChars: options.maxAnswerChars }),
  };
}

/** The Python sandbox's share of the options. */
function pythonOptions(options: StepReplOptions): ReturnType<typeof sharedOptions> & { pool?: PythonSandboxPool; maxAnswerChars?: number } {
  return {
    ...sharedOptions(options),
    ...(options.maxAnswerChars === undefined ? {} : { maxAnswerChars: options.maxAnswerChars }),
    ...(options.pythonPool === undefined ? {} : { pool: options.pythonPool }),
  };
}

export function createStepRepl(options: StepReplOptions): Promise<StepRepl> {
  const { context, host } = options;
  return options.language === 'python'
    ? PythonReplSession.create({ context, host, ...pythonOptions(options) })
    : ReplSession.create({ context, host, ...jsLimits(options) });
}

/** A REPL whose state can leave the process (cluster mode: stateless steps). */
export interface SnapshotRepl extends StepRepl {
  /** The state after the steps queued so far, as text for `restore` (each language has its format). */
  snapshotText(): Promise<string>;
}

export interface SnapshotReplOptions extends StepReplOptions {
  /** A `snapshotText()` of an earlier REPL of the same language and session. */
  readonly restore?: string;
}

export async function createSnapshotRepl(options: SnapshotReplOptions): Promise<SnapshotRepl> {
  const { context, host, restore } = options;
  if (options.language === 'python')
    return PythonReplSession.create({
      context,
      host,
      ...(restore === undefined ? {} : { restore }),
      ...pythonOptions(options),
    });
  const repl = await ReplSession.create({
    context,
    host,
    ...(restore === undefined ? {} : { restore: parseSnapshot(restore) }),
    ...jsLimits(options),
  });
  return {
    execute: (code, stepOptions) => repl.execute(code, stepOptions),
    dispose: () => repl.dispose(),
    snapshotText: async () => serializeSnapshot(await repl.snapshot()),
  };
}
