import { describe, expect, it } from 'vitest';
import { FORCED_FINAL_MESSAGE, LocalLedger, LocalLimiter, LocalRequestRuntime, RlmError } from '@rlm/shared';
import type {
  CompletionPort,
  Dispatcher,
  LlmCallOutcome,
  LlmCallTask,
  RequestRuntime,
  SessionSettings,
  StepPort,
  StepResult,
  StepTask,
} from '@rlm/shared';
import { EmbeddedDispatcher } from '../embedded-dispatcher.ts';
import { NUDGE_MESSAGE } from '../prompts/feedback.ts';

type Reply = string | ((task: LlmCallTask, runtime: RequestRuntime) => Promise<string> | string);

/** Scripted root model: replies in order, recording every request. */
class ScriptedModel implements CompletionPort {
  readonly tasks: LlmCallTask[] = [];
  private readonly replies: Reply[];
  constructor(replies: Reply[]) {
    this.replies = replies;
  }
  async complete(task: LlmCallTask, runtime: RequestRuntime): Promise<LlmCallOutcome> {
    this.tasks.push(task);
    const reply = this.replies.shift();
    if (reply === undefined) throw new RlmError('internal', 'script exhausted');
    const content = typeof reply === 'string' ? reply : await reply(task, runtime);
    const usage = { inputTokens: 1000, outputTokens: 100, cachedInputTokens: 0 };
    const reservation = await runtime.ledger.reserve(0, 0);
    if (reservation.ok) await runtime.ledger.settle(reservation.reservation, usage, 0.01);
    return { response: { content, model: task.request.model, usage }, cacheHit: false };
  }
}

/** A fake REPL: each step's result is computed from the code by a rule. */
class FakeRepl implements StepPort {
  readonly codes: string[] = [];
  ended: string[] = [];
  private readonly rule: (code: string) => Partial<StepResult>;
  constructor(rule: (code: string) => Partial<StepResult> = () => ({})) {
    this.rule = rule;
  }
  executeStep(task: StepTask, _runtime: RequestRuntime, _dispatcher: Dispatcher): Promise<StepResult> {
    this.codes.push(task.code);
    return Promise.resolve({ output: '', outputTotalChars: 0, variables: [], pendingAwaited: 0, durationMs: 1, ...this.rule(task.code) });
  }
  endSession(sessionId: string): Promise<void> {
    this.ended.push(sessionId);
    return Promise.resolve();
  }
}

const settings: SessionSettings = {
  model: 'root',
  subModel: 'sub',
  maxDepth: 1,
  maxIterations: 3,
  stepTimeoutMs: 1000,
  outputLimitChars: 100,
  maxOutputTokens: 100,
};

function setup(replies: Reply[], rule?: (code: string) => Partial<StepResult>, limits: { maxTokens?: number } = {}) {
  const model = new ScriptedModel(replies);
  const repl = new FakeRepl(rule);
  const dispatcher = new EmbeddedDispatcher({ completions: model, steps: repl });
  const runtime = new LocalRequestRuntime({ rootId: 'r', ledger: new LocalLedger(limits), limiter: new LocalLimiter(4) });
  const run = (overrides: Partial<SessionSettings> = {}) =>
    dispatcher.runSession(
      { sessionId: 'r', depth: 0, context: { kind: 'inline', value: 'abc' }, query: 'q?', settings: { ...settings, ...overrides } },
      runtime,
    );
  return { model, repl, runtime, run };
}

const code = (body: string) => '```repl\n' + body + '\n```';

describe('runSession', () => {
  it('ends with the value a code step declares final, running blocks in order', async () => {
    const { run, repl } = setup([code('a()') + '\ntext\n' + code('FINAL(1)')], (source) =>
      source.includes('FINAL') ? { final: { value: '42' } } : {},
    );
    const outcome = await run();
    expect(outcome).toEqual({ answer: '42', stopReason: 'final', iterations: 1, spend: expect.objectContaining({ calls: 1 }) });
    expect(repl.codes).toEqual(['a()', 'FINAL(1)']);
    expect(repl.ended).toEqual(['r']);
  });

  it('accepts a plain-text FINAL after code has run', async () => {
    const { run, repl } = setup([code('x = 1') + '\nFINAL(the answer)']);
    expect(await run()).toMatchObject({ answer: 'the answer', stopReason: 'final' });
    expect(repl.codes).toEqual(['x = 1']);
  });

  it('resolves FINAL_VAR in text through the REPL, and reports a missing variable', async () => {
    const { run, model } = setup(['FINAL_VAR(missing)', 'FINAL_VAR(result)'], (source) =>
      source.includes('"result"') ? { final: { value: 'from var' } } : { error: { name: 'Error', message: 'FINAL_VAR: no variable named "missing"' } },
    );
    expect(await run()).toMatchObject({ answer: 'from var', stopReason: 'final', iterations: 2 });
    expect(model.tasks[1]?.request.messages.at(-1)?.content).toContain('FINAL_VAR(missing) failed');
  });

  it('nudges a reply with neither code nor answer', async () => {
    const { run, model } = setup(['I think...', 'FINAL(ok)']);
    expect(await run()).toMatchObject({ answer: 'ok', iterations: 2 });
    expect(model.tasks[1]?.request.messages.at(-1)?.content).toBe(NUDGE_MESSAGE);
  });

  it('feeds back truncated output with the variable list', async () => {
    const { run, model } = setup([code('print()'), 'FINAL(done)'], () => ({
      output: 'x'.repeat(500),
      outputTotalChars: 500,
      variables: [{ name: 'chunks', type: 'array', size: 7 }],
    }));
    await run();
    const feedback = model.tasks[1]?.request.messages.at(-1)?.content ?? '';
    expect(feedback).toContain('[truncated');
    expect(feedback).toContain('chunks: array (7)');
    expect(feedback.length).toBeLessThan(400);
  });

  it("reports its subtree's spend: its own turns plus what its steps' sub-calls spent", async () => {
    const subcallSpend = { usage: { inputTokens: 7, outputTokens: 3, cachedInputTokens: 1 }, costUsd: 0.5, calls: 2 };
    const { run } = setup(['```repl\nx()\n```', 'FINAL(done)'], () => ({ subcallSpend }));
    const outcome = await run();
    expect(outcome.spend).toEqual({ usage: { inputTokens: 2007, outputTokens: 203, cachedInputTokens: 1 }, costUsd: 0.5, calls: 4 });
  });

  it('asks once more for a final answer at the iteration limit', async () => {
    const { run, model } = setup([code('1'), code('2'), 'FINAL(best guess)'], () => ({ partialAnswer: 'partial' }));
    const outcome = await run({ maxIterations: 2 });
    expect(outcome).toMatchObject({ answer: 'best guess', stopReason: 'max_iterations', iterations: 2 });
    expect(model.tasks[2]?.request.messages.at(-1)?.content).toBe(FORCED_FINAL_MESSAGE);
  });

  it('stops on the token budget with the best partial answer', async () => {
    const { run, model } = setup([code('a'), code('b'), code('c')], () => ({ partialAnswer: 'half done' }), { maxTokens: 2000 });
    const outcome = await run({ maxIterations: 10 });
    expect(outcome).toMatchObject({ answer: 'half done', stopReason: 'max_tokens', iterations: 2 });
    expect(model.tasks).toHaveLength(2);
  });

  it('stops as cancelled when the runtime is cancelled mid-turn', async () => {
    const { run, runtime } = setup([
      (_task, rt) => {
        rt.stop('cancelled');
        throw new RlmError('cancelled', 'aborted');
      },
    ]);
    expect(await run()).toMatchObject({ stopReason: 'cancelled', iterations: 1 });
    expect(runtime.stopReason()).toBe('cancelled');
  });

  it('reports stopReason error when the provider fails for good', async () => {
    const { run } = setup([
      () => {
        throw new RlmError('llm_http', 'LLM endpoint answered 401: bad key', { status: 401 });
      },
    ]);
    expect(await run()).toMatchObject({ stopReason: 'error', error: { code: 'llm_http' } });
  });

  it('shows type-stripped TypeScript to the REPL and a TS syntax error to the model', async () => {
    const { run, repl, model } = setup(['```ts\nconst n: number = 1\n```', '```ts\nconst = ;\n```', 'FINAL(x)']);
    await run();
    expect(repl.codes[0]).not.toContain(': number');
    expect(model.tasks[2]?.request.messages.at(-1)?.content).toContain('SyntaxError');
  });
});
