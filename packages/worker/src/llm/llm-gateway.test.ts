import { describe, expect, it } from 'vitest';
import { LocalLedger, LocalLimiter, LocalRequestRuntime, RlmError } from '@rlm/shared';
import type { CompletionRequest, CompletionResponse, LlmCallTask } from '@rlm/shared';
import { LlmGateway } from './llm-gateway.ts';
import { LocalCallCoalescer } from './local-call-coalescer.ts';
import { MemoryResultCache } from './memory-result-cache.ts';
import type { LlmProvider } from '@rlm/shared';

/** A provider that answers after `release()` is called, recording what it saw. */
class GatedProvider implements LlmProvider {
  readonly requests: CompletionRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private waiters: Array<() => void> = [];
  usage = { inputTokens: 100, outputTokens: 10, cachedInputTokens: 0 };

  async complete(request: CompletionRequest, signal: AbortSignal): Promise<CompletionResponse> {
    this.requests.push(request);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise<void>((resolve, reject) => {
        this.waiters.push(resolve);
        signal.addEventListener('abort', () => reject(new RlmError('cancelled', 'aborted')), { once: true });
      });
    } finally {
      this.inFlight -= 1;
    }
    const last = request.messages.at(-1)?.content ?? '';
    return { content: `echo:${last}`, model: request.model, usage: this.usage };
  }

  releaseAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

function runtimeWith(options: { maxTokens?: number; concurrency?: number } = {}): LocalRequestRuntime {
  return new LocalRequestRuntime({
    rootId: 'root-1',
    ledger: new LocalLedger(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
    limiter: new LocalLimiter(options.concurrency ?? 8),
  });
}

function subcall(prompt: string): LlmCallTask {
  return {
    callId: `s.1.${prompt}`,
    sessionId: 's',
    depth: 0,
    purpose: 'subcall',
    request: { model: 'sim-small', messages: [{ role: 'user', content: prompt }], maxTokens: 50 },
  };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('LlmGateway', () => {
  it('answers identical concurrent sub-calls with one provider request, then from the cache', async () => {
    const provider = new GatedProvider();
    const gateway = new LlmGateway({ provider, cache: new MemoryResultCache(), coalescer: new LocalCallCoalescer(), prices: {}, defaultMaxOutputTokens: 50 });
    const runtime = runtimeWith();
    const calls = [1, 2, 3].map(() => gateway.complete(subcall('same'), runtime));
    await flush();
    provider.releaseAll();
    const outcomes = await Promise.all(calls);
    expect(provider.requests).toHaveLength(1);
    expect(outcomes.map((outcome) => outcome.cacheHit).sort()).toEqual([false, true, true]);
    const later = await gateway.complete(subcall('same'), runtime);
    expect(later).toMatchObject({ cacheHit: true, response: { content: 'echo:same' } });
    expect(provider.requests).toHaveLength(1);
    expect((await runtime.ledger.totals()).calls).toBe(1);
  });

  it('never runs more provider calls at once than the concurrency cap', async () => {
    const provider = new GatedProvider();
    const gateway = new LlmGateway({ provider, cache: new MemoryResultCache(), coalescer: new LocalCallCoalescer(), prices: {}, defaultMaxOutputTokens: 50 });
    const runtime = runtimeWith({ concurrency: 3 });
    const calls = Array.from({ length: 10 }, (_, index) => gateway.complete(subcall(`p${index}`), runtime));
    for (let round = 0; round < 5; round += 1) {
      await flush();
      provider.releaseAll();
    }
    await Promise.all(calls);
    expect(provider.requests).toHaveLength(10);
    expect(provider.maxInFlight).toBe(3);
  });

  it('refuses a call that cannot fit even alone and stops the request', async () => {
    const provider = new GatedProvider();
    const gateway = new LlmGateway({ provider, cache: new MemoryResultCache(), coalescer: new LocalCallCoalescer(), prices: {}, defaultMaxOutputTokens: 50 });
    // A call reserves its prompt (about 10 tokens) plus its output estimate (its cap of 50 here).
    const runtime = runtimeWith({ maxTokens: 40 });
    await expect(gateway.complete(subcall('a'), runtime)).rejects.toMatchObject({ code: 'budget_exhausted' });
    expect(runtime.stopReason()).toBe('max_tokens');
    expect(provider.requests).toHaveLength(0);
  });

  it('a call that does not fit beside the running ones waits for them, and runs when they settle for less', async () => {
    const provider = new GatedProvider();
    provider.usage = { inputTokens: 5, outputTokens: 1, cachedInputTokens: 0 };
    const gateway = new LlmGateway({ provider, cache: new MemoryResultCache(), coalescer: new LocalCallCoalescer(), prices: {}, defaultMaxOutputTokens: 50 });
    // About 60 tokens reserved per call: two fit under 150, a third must wait.
    const runtime = runtimeWith({ maxTokens: 150 });
    const calls = [gateway.complete(subcall('a'), runtime), gateway.complete(subcall('b'), runtime), gateway.complete(subcall('c'), runtime)];
    await flush();
    expect(provider.requests).toHaveLength(2);
    provider.releaseAll();
    await flush();
    expect(provider.requests).toHaveLength(3);
    provider.releaseAll();
    await Promise.all(calls);
    expect(runtime.stopReason()).toBeUndefined();
    expect((await runtime.ledger.totals()).calls).toBe(3);
  });

  it('a waiting call is stopped when the running ones settle past the cap, and the request stops', async () => {
    const provider = new GatedProvider();
    const gateway = new LlmGateway({ provider, cache: new MemoryResultCache(), coalescer: new LocalCallCoalescer(), prices: {}, defaultMaxOutputTokens: 50 });
    // The first call reserves about 60 of 100 and settles 110 (100 in, 10 out): the cap is reached.
    const runtime = runtimeWith({ maxTokens: 100 });
    const first = gateway.complete(subcall('a'), runtime);
    const second = gateway.complete(subcall('b'), runtime);
    await flush();
    expect(provider.requests).toHaveLength(1);
    provider.releaseAll();
    await first;
    await expect(second).rejects.toMatchObject({ code: expect.stringMatching(/^(budget_exhausted|cancelled)$/) });
    expect(runtime.stopReason()).toBe('max_tokens');
    expect(provider.requests).toHaveLength(1);
  });

  it('root calls bypass the cache', async () => {
    const provider = new GatedProvider();
    const gateway = new LlmGateway({ provider, cache: new MemoryResultCache(), coalescer: new LocalCallCoalescer(), prices: {}, defaultMaxOutputTokens: 50 });
    const runtime = runtimeWith();
    const task: LlmCallTask = { ...subcall('root'), purpose: 'root' };
    const calls = [gateway.complete(task, runtime), gateway.complete(task, runtime)];
    await flush();
    provider.releaseAll();
    await Promise.all(calls);
    expect(provider.requests).toHaveLength(2);
  });
});
