import { describe, expect, it } from 'vitest';
import { LocalLedger, LocalLimiter, LocalRequestRuntime } from '@rlm/shared';
import type { ChatMessage, Dispatcher, LlmCallTask, RlmEvent, SessionTask } from '@rlm/shared';
import { Compactor, KEEP_TAIL_MESSAGES } from './compaction.ts';

/** A dispatcher whose only job here is the summary call. */
function summaryDispatcher(tasks: LlmCallTask[]): Dispatcher {
  return {
    complete: (task) => {
      tasks.push(task);
      return Promise.resolve({
        response: { content: 'the summary', model: 'root', usage: { inputTokens: 10, outputTokens: 3, cachedInputTokens: 0 } },
        cacheHit: false,
      });
    },
    executeStep: () => Promise.reject(new Error('not used')),
    runSession: () => Promise.reject(new Error('not used')),
    endSession: () => Promise.resolve(),
  };
}

const task = (contextWindow: number | undefined): SessionTask => ({
  sessionId: 's',
  depth: 0,
  context: { kind: 'inline', value: 'c' },
  query: 'q',
  settings: {
    model: 'root',
    subModel: 'sub',
    maxDepth: 1,
    maxIterations: 10,
    stepTimeoutMs: 1_000,
    outputLimitChars: 1_000,
    maxOutputTokens: 100,
    ...(contextWindow === undefined ? {} : { contextWindow }),
  },
});

function conversation(turns: number): ChatMessage[] {
  const messages: ChatMessage[] = [
    { role: 'system', content: 'system prompt' },
    { role: 'user', content: 'metadata and question' },
  ];
  for (let turn = 1; turn <= turns; turn += 1) {
    messages.push({ role: 'assistant', content: `reply ${turn} ` + 'word '.repeat(100) }, { role: 'user', content: `output ${turn} ` + 'value '.repeat(100) });
  }
  return messages;
}

function runtime(events: RlmEvent[]): LocalRequestRuntime {
  return new LocalRequestRuntime({ rootId: 's', ledger: new LocalLedger({}), limiter: new LocalLimiter(4), onEvent: (event) => events.push(event) });
}

describe('Compactor', () => {
  it('leaves a conversation under 80% of the window alone, and never compacts without a window', async () => {
    const tasks: LlmCallTask[] = [];
    const messages = conversation(3);
    const size = new Compactor(task(undefined)).tokensOf(messages);
    expect(await new Compactor(task(Math.ceil(size / 0.8) + 10)).compact(messages, 4, summaryDispatcher(tasks), runtime([]))).toBeUndefined();
    expect(await new Compactor(task(undefined)).compact(conversation(50), 51, summaryDispatcher(tasks), runtime([]))).toBeUndefined();
    expect(tasks).toEqual([]);
  });

  it('keeps the head and the last turns, puts the summary between them, and reports the compaction', async () => {
    const tasks: LlmCallTask[] = [];
    const events: RlmEvent[] = [];
    const messages = conversation(10);
    const compacted = await new Compactor(task(1_000)).compact(messages, 11, summaryDispatcher(tasks), runtime(events));
    expect(compacted).toBeDefined();
    const result = compacted ?? { messages: [] };
    expect(result.messages.slice(0, 2)).toEqual(messages.slice(0, 2));
    expect(result.messages.slice(3)).toEqual(messages.slice(-KEEP_TAIL_MESSAGES));
    expect(result.messages[2]?.content).toMatch(/^\[Earlier turns compacted\] .* 16 earlier messages/);
    expect(result.messages[2]?.content).toContain('the summary');
    // The summary call sees the compacted turns only, under its own instruction, with a stable call id.
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.callId).toBe('s.c11');
    // Cut from the front to fit the summary call into the window: the latest compacted turns stay.
    const transcript = tasks[0]?.request.messages[1]?.content ?? '';
    expect(transcript).toMatch(/^\[the oldest [\d,]+ characters of this transcript were left out\]/);
    expect(transcript).toContain('reply 8 ');
    expect(transcript).not.toContain('reply 9 ');
    expect(events).toEqual([expect.objectContaining({ type: 'compaction', iteration: 11, messagesCompacted: 16, summary: 'the summary' })]);
  });
});
