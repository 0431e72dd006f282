/**
 * The assertions every Dispatcher driver must pass: the embedded driver (one
 * process) and the BullMQ driver (queues, Redis, workers). Both run real
 * sessions against the simulator with the same scripted model.
 */
import { describe, expect, it } from 'vitest';
import type { Dispatcher, LedgerTotals, RequestRuntime, SessionSettings } from '@rlm/shared';
import type { ScriptedReplyFunction } from '@rlm/sim';
import { isSessionTurn, repl } from '../support/engine-requests.ts';

export interface DispatcherHarness {
  readonly dispatcher: Dispatcher;
  openRuntime(limits: { maxTokens?: number }): RequestRuntime & { close(): void };
  /** Sub-call requests the simulator received. */
  subcallRequests(): number;
  close(): Promise<void>;
}

export const SETTINGS: SessionSettings = {
  model: 'sim-large',
  subModel: 'sim-small',
  maxDepth: 2,
  maxIterations: 4,
  stepTimeoutMs: 20_000,
  outputLimitChars: 2_000,
  maxOutputTokens: 256,
};

/** The scripted model all drivers face: the query names the behaviour. */
export const contractModel: ScriptedReplyFunction = (request) => {
  if (!isSessionTurn(request)) return `echo:${(request.messages.at(-1)?.content ?? '').slice(0, 40)}`;
  const firstUser = request.messages[1]?.content ?? '';
  const query = firstUser.slice(firstUser.lastIndexOf('QUESTION:') + 'QUESTION:'.length).trim();
  if (firstUser.includes('child task')) return repl(`FINAL('child saw ' + context.length + ' chars')`);
  switch (query) {
    case 'length':
      return repl('FINAL(String(context.length))');
    case 'fan-out':
      return repl(`const r = await llm_query_batched(['a', 'b', 'a', 'b', 'c']); FINAL(r.join(','))`);
    case 'recurse':
      return repl(`FINAL(await rlm_query('child task: ' + 'x'.repeat(100)))`);
    case 'runaway':
      return repl(`answer.content = 'partial'; while (true) { await llm_query('spend ' + Math.random()); }`);
    default:
      return 'FINAL(unknown query)';
  }
};

export function describeDispatcherContract(name: string, setup: () => Promise<DispatcherHarness>): void {
  describe(`${name} (Dispatcher contract)`, () => {
    const run = async (harness: DispatcherHarness, query: string, limits: { maxTokens?: number } = {}) => {
      const runtime = harness.openRuntime(limits);
      try {
        const sessionId = `c${Math.random().toString(36).slice(2)}`;
        const outcome = await harness.dispatcher.runSession(
          { sessionId, depth: 0, context: { kind: 'inline', value: 'the context' }, query, settings: SETTINGS },
          runtime,
        );
        const totals: LedgerTotals = await runtime.ledger.totals();
        return { outcome, totals };
      } finally {
        runtime.close();
      }
    };

    it('runs a session whose code reads the context', async () => {
      const harness = await setup();
      try {
        const { outcome } = await run(harness, 'length');
        expect(outcome).toMatchObject({ answer: '11', stopReason: 'final', iterations: 1 });
      } finally {
        await harness.close();
      }
    });

    it('answers duplicate sub-calls once and counts them as cache hits', async () => {
      const harness = await setup();
      try {
        const before = harness.subcallRequests();
        const { outcome, totals } = await run(harness, 'fan-out');
        expect(outcome.answer).toBe('echo:a,echo:b,echo:a,echo:b,echo:c');
        expect(harness.subcallRequests() - before).toBe(3);
        expect(totals).toMatchObject({ subcalls: 5, cacheHits: 2 });
      } finally {
        await harness.close();
      }
    });

    it('runs a child session for rlm_query below the depth limit', async () => {
      const harness = await setup();
      try {
        const { outcome } = await run(harness, 'recurse');
        expect(outcome).toMatchObject({ answer: 'child saw 112 chars', stopReason: 'final' });
      } finally {
        await harness.close();
      }
    });

    it('stops a runaway session at the token cap with its partial answer', async () => {
      const harness = await setup();
      try {
        const { outcome, totals } = await run(harness, 'runaway', { maxTokens: 8_000 });
        expect(outcome).toMatchObject({ stopReason: 'max_tokens', answer: 'partial' });
        expect(totals.usage.inputTokens + totals.usage.outputTokens).toBeLessThanOrEqual(8_000);
      } finally {
        await harness.close();
      }
    });
  });
}
