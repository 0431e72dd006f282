/**
 * Issue 12's figures: what the host holds per queued sub-call, and the peak memory of a request
 * that runs into each of the caps (pending sub-calls, prompt characters of pending sub-calls,
 * final-answer size, the request's sandbox memory budget, the context size). Everything runs in this process with an in-process provider,
 * so the figures are the engine's own, not HTTP's.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { RLM } from '@rlm/sdk';
import { CHILD_QUERY, DEFAULT_MAX_PENDING_PROMPT_CHARS } from '@rlm/shared';
import type { CompletionRequest, CompletionResponse, LlmProvider } from '@rlm/shared';
import { readContextSource } from '../packages/cli/src/context-source.ts';

const MiB = 1024 * 1024;
const USAGE = { inputTokens: 20, outputTokens: 1, cachedInputTokens: 0 };

/** Root turns answer from `script` (by turn); sub-calls answer `subcall(prompt)`. */
class ScriptProvider implements LlmProvider {
  private readonly script: (turn: number, request: CompletionRequest) => string;
  private readonly subcall: (prompt: string, signal: AbortSignal) => Promise<string>;

  constructor(
    script: (turn: number, request: CompletionRequest) => string,
    subcall: (prompt: string, signal: AbortSignal) => Promise<string> = () => Promise.resolve('ok'),
  ) {
    this.script = script;
    this.subcall = subcall;
  }

  async complete(request: CompletionRequest, signal: AbortSignal): Promise<CompletionResponse> {
    const root = request.messages[0]?.role === 'system';
    const turn = request.messages.filter((message) => message.role === 'assistant').length;
    const content = root ? this.script(turn, request) : await this.subcall(request.messages.at(-1)?.content ?? '', signal);
    return { content, model: request.model, usage: USAGE };
  }
}

const repl = (code: string): string => '```repl\n' + code + '\n```';

function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** Host heap and resident bytes while `queued` sub-calls wait behind one slot. */
async function memoryWithQueued(queued: number): Promise<{ heap: number; rss: number }> {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  let firstArrived: () => void = () => {};
  const first = new Promise<void>((resolve) => (firstArrived = resolve));
  const provider = new ScriptProvider(
    (turn) => (turn === 0 ? repl(`await llm_query_batched(Array.from({ length: ${queued} }, (_, i) => 'prompt number ' + i))`) : 'FINAL(done)'),
    async () => {
      firstArrived();
      await gate;
      return 'ok';
    },
  );
  const rlm = new RLM({ provider, model: 'sim-large', concurrency: 1, maxPendingSubcalls: queued + 1, env: {} });
  const done = rlm.completion('ctx', 'q');
  await first;
  // Every other call reaches the limiter's queue within the same wave of microtasks.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
  const usage = process.memoryUsage();
  release();
  await done;
  return { heap: usage.heapUsed + usage.external, rss: usage.rss };
}

export interface QueuedSubcallBytes {
  readonly queuedSmall: number;
  readonly queuedLarge: number;
  /** Host JS heap + external bytes per additional queued sub-call (the slope between the two runs). */
  readonly heapBytesPerQueuedCall: number;
  readonly rssBytesPerQueuedCall: number;
}

export async function benchQueuedSubcallBytes(queuedSmall = 2_000, queuedLarge = 12_000): Promise<QueuedSubcallBytes> {
  await memoryWithQueued(200); // warm-up: module loading and JIT
  const small = await memoryWithQueued(queuedSmall);
  const large = await memoryWithQueued(queuedLarge);
  const per = (a: number, b: number): number => Math.round((b - a) / (queuedLarge - queuedSmall));
  return {
    queuedSmall,
    queuedLarge,
    heapBytesPerQueuedCall: per(small.heap, large.heap),
    rssBytesPerQueuedCall: per(small.rss, large.rss),
  };
}

/** The cases of `capMemory`, each run alone in a child process (cap-probe.ts) so its peak is its own. */
export const CAP_CASES = {
  pendingCap: () => pendingCap(200_000),
  promptCharsCap: () => promptCharsCap(20_000_000, 100),
  answerCap: () => answerCap(64 * MiB),
  sandboxBudget: () => sandboxBudget(24, 20),
  contextCap: () => contextCap(100_000_000),
} as const;

export async function benchCapMemory(): Promise<Record<string, object>> {
  const results: Record<string, object> = {};
  for (const name of Object.keys(CAP_CASES)) results[name] = await runInChild(name);
  return results;
}

function runInChild(name: string): Promise<object> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--no-node-snapshot', path.join(import.meta.dirname, 'cap-probe.ts'), name],
      { maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`cap probe ${name} failed: ${stderr.trim() || error.message}`));
        else resolve(JSON.parse(stdout) as object);
      },
    );
  });
}

async function pendingCap(prompts: number): Promise<object> {
  let refused = -1;
  const provider = new ScriptProvider((turn, request) => {
    if (turn === 0)
      return repl(`const r = await llm_query_batched(Array.from({ length: ${prompts} }, (_, i) => 'item ' + i)); print(r.filter((a) => a.startsWith('Error: sub-call refused')).length)`);
    refused = Number(/Output:\n(\d+)/.exec(request.messages.at(-1)?.content ?? '')?.[1] ?? -1);
    return 'FINAL(done)';
  });
  const rlm = new RLM({ provider, model: 'sim-large', env: {} });
  const result = await rlm.completion('ctx', 'q');
  return { prompts, cap: rlm.config.maxPendingSubcalls, refused, stopReason: result.stopReason };
}

/** One large string passed as many prompts of one batch (the probe that copied it out once per prompt). */
async function promptCharsCap(promptChars: number, prompts: number): Promise<object> {
  let refused = -1;
  const provider = new ScriptProvider((turn, request) => {
    if (turn === 0)
      return repl(`const big = 'x'.repeat(${promptChars}).toUpperCase(); const r = await llm_query_batched(Array.from({ length: ${prompts} }, () => big)); print(r.filter((a) => a.includes('its prompts hold')).length)`);
    refused = Number(/Output:\n(\d+)/.exec(request.messages.at(-1)?.content ?? '')?.[1] ?? -1);
    return 'FINAL(done)';
  });
  const rlm = new RLM({ provider, model: 'sim-large', env: {} });
  const result = await rlm.completion('ctx', 'q');
  return { promptChars, prompts, capChars: DEFAULT_MAX_PENDING_PROMPT_CHARS, refused, stopReason: result.stopReason };
}

async function answerCap(answerChars: number): Promise<object> {
  const provider = new ScriptProvider((turn) => (turn === 0 ? repl(`FINAL('x'.repeat(${answerChars}).toUpperCase())`) : 'FINAL(short)'));
  const rlm = new RLM({ provider, model: 'sim-large', env: {} });
  const result = await rlm.completion('ctx', 'q');
  if (result.answer !== 'short') throw new Error(`the oversized answer was accepted (${result.answer.length} chars)`);
  return { answerChars, capChars: rlm.config.maxAnswerChars, stopReason: result.stopReason };
}

async function sandboxBudget(children: number, childHoldsMb: number): Promise<object> {
  let refused = -1;
  let hold: () => void = () => {};
  const held = new Promise<void>((resolve) => (hold = resolve));
  let holding = 0;
  const provider = new ScriptProvider(
    (turn, request) => {
      const child = request.messages.some((message) => message.content.includes(CHILD_QUERY));
      if (child) return turn === 0 ? repl(`globalThis.held = 'c'.repeat(${childHoldsMb * MiB}).toUpperCase(); await llm_query('hold');`) : 'FINAL(child done)';
      if (turn === 0)
        return repl(`const r = await rlm_query_batched(Array.from({ length: ${children} }, (_, i) => 'child ' + i)); print(r.filter((a) => a.includes('sandbox memory budget')).length)`);
      refused = Number(/Output:\n(\d+)/.exec(request.messages.at(-1)?.content ?? '')?.[1] ?? -1);
      return 'FINAL(done)';
    },
    async () => {
      holding += 1;
      // The children that got a REPL hold their memory until every child has started or been refused.
      if (holding === 1) setTimeout(hold, 2_000);
      await held;
      return 'held';
    },
  );
  const rlm = new RLM({ provider, model: 'sim-large', maxDepth: 2, env: {} });
  const result = await rlm.completion('ctx', 'q');
  return { children, childHoldsMb, budgetMb: rlm.config.maxSandboxMemoryMb, refused, stopReason: result.stopReason };
}

async function contextCap(maxChars: number): Promise<object> {
  const endless = async function* (): AsyncGenerator<Uint8Array> {
    const chunk = new TextEncoder().encode('a'.repeat(MiB));
    for (;;) yield chunk;
  };
  const refused = await readContextSource('-', { flag: 'context', maxChars, stdin: endless }).then(
    () => false,
    () => true,
  );
  if (!refused) throw new Error('an endless context was accepted');
  return { maxChars, readFromAnEndlessStream: true };
}
