/**
 * Conversations (issue 16) through the SDK, the real openai client and the simulator: follow-up
 * questions reuse the first question's REPL variables, see `history` and added contexts, and cost
 * fewer model calls than the same questions asked fresh.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RLM } from '@rlm/sdk';
import { lastUserMessage, repl } from '../support/engine-requests.ts';
import { closeScriptedEngines, scriptedEngine } from '../support/scripted-engine.ts';
import { colourRows, conversationScript } from '../support/conversation-script.ts';
import type { SimRequest } from '@rlm/sim';

afterEach(closeScriptedEngines);

const QUESTIONS = ['Count the colours of the rows.', 'Which colour is most common?', 'How many red rows are there?'];
const SECOND_CONTEXT = 'a second document of 37 characters..';

describe('conversations', () => {
  it('three questions reuse the REPL: follow-ups read the first one\'s variables and make fewer calls', async () => {
    const firstMessages: string[] = [];
    const { rlm, sim } = await scriptedEngine((request: SimRequest, index) => {
      const user = request.messages.find((message) => message.role === 'user')?.content ?? '';
      if (request.messages.length === 2 && request.messages[0]?.role === 'system') firstMessages.push(user);
      return conversationScript(request, index);
    });
    const conversation = rlm.conversation(colourRows());
    const first = await conversation.ask(QUESTIONS[0] ?? '');
    expect(first).toMatchObject({ stopReason: 'final', answer: JSON.stringify({ red: 20, green: 10, blue: 10 }) });
    const second = await conversation.ask(QUESTIONS[1] ?? '');
    expect(second).toMatchObject({ stopReason: 'final', answer: 'red', iterations: 1 });
    expect(conversation.addContext(SECOND_CONTEXT)).toBe(1);
    const third = await conversation.ask(QUESTIONS[2] ?? '');
    expect(third.answer).toBe(
      `20 red rows; 2 earlier, first answer ${first.answer}; context_1 has ${SECOND_CONTEXT.length} characters`,
    );
    expect(third.iterations).toBe(1);
    await conversation.close();
    const conversationCalls = sim.stats().totalRequests;
    // The follow-ups' first messages summarise the earlier exchanges (not their transcripts).
    expect(firstMessages[1]).toContain(`Q: ${QUESTIONS[0]}`);
    expect(firstMessages[1]).toContain(`A: ${first.answer}`);
    expect(firstMessages[2]).toContain('`context_1` holds another context');
    expect(firstMessages[2]).toContain(`Q: ${QUESTIONS[1]}`);
    expect(conversation.history.map((exchange) => exchange.question)).toEqual(QUESTIONS);

    // The same three questions asked fresh (each its own engine, so no sub-call cache is shared):
    // every follow-up recomputes what the first one kept.
    sim.resetStats();
    for (const question of QUESTIONS) {
      const engine = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', subModel: 'sim-small', env: {} });
      const fresh = await engine.completion(colourRows(), question);
      expect(fresh.stopReason).toBe('final');
    }
    const freshCalls = sim.stats().totalRequests;
    expect(conversationCalls).toBe(5 + 1 + 1); // 1 root turn + 4 sub-calls, then one turn each
    expect(freshCalls).toBeGreaterThan(conversationCalls);
    expect(freshCalls).toBe(5 + 6 + 6);
  }, 60_000);

  it('a cancelled question leaves the conversation usable and out of the history', async () => {
    const { rlm } = await scriptedEngine(conversationScript);
    const conversation = rlm.conversation(colourRows());
    await conversation.ask(QUESTIONS[0] ?? '');
    const controller = new AbortController();
    const slow = conversation.ask('a slow question', { signal: controller.signal });
    setTimeout(() => controller.abort(), 500);
    expect((await slow).stopReason).toBe('cancelled');
    const next = await conversation.ask(QUESTIONS[1] ?? '');
    // Cancelling a step kills its sandbox (as a step timeout does): the REPL starts over, so the
    // scripted model's first try fails and it recomputes.
    expect(next).toMatchObject({ stopReason: 'final', answer: 'red', iterations: 2 });
    expect(conversation.history.map((exchange) => exchange.question)).toEqual([QUESTIONS[0], QUESTIONS[1]]);
    await conversation.close();
    await expect(conversation.ask('again?')).rejects.toThrow(/closed/);
  }, 60_000);

  it('adding a context reloads the REPL from its snapshot and tells the model what could not come along', async () => {
    const feedback: string[] = [];
    const { rlm } = await scriptedEngine((request) => {
      const question = lastQuestion(request);
      if (question === 'first') return repl('const kept = 41;\nconst handle = new WeakMap();\nFINAL("ok")');
      if (request.messages.length === 2) return repl('print(`kept ${kept} context_1 ${context_1}`)');
      feedback.push(lastUserMessage(request));
      return 'FINAL(done)';
    });
    const conversation = rlm.conversation('the first context');
    await conversation.ask('first');
    conversation.addContext('added');
    expect((await conversation.ask('second')).answer).toBe('done');
    expect(feedback[0]).toMatch(/note: not restored from the previous step: handle \(/);
    expect(feedback[0]).toContain('kept 41 context_1 added');
    await conversation.close();
  }, 60_000);

  it('python: variables, history and added contexts persist between questions', async () => {
    const { rlm } = await scriptedEngine(
      (request) => {
        const question = lastQuestion(request);
        if (question === 'first') return '```repl\nkept = 41\nFINAL(str(kept))\n```';
        return '```repl\nFINAL(f"{kept + 1} {len(history)} {history[0][\'answer\']} {len(context_1)} {context_0 == context}")\n```';
      },
      { repl: 'python' },
    );
    const conversation = rlm.conversation('the first context');
    expect((await conversation.ask('first')).answer).toBe('41');
    conversation.addContext('added');
    expect((await conversation.ask('second')).answer).toBe('42 1 41 5 True');
    await conversation.close();
  }, 120_000);
});

function lastQuestion(request: SimRequest): string {
  const first = request.messages.find((message) => message.role === 'user')?.content ?? '';
  return first.slice(first.lastIndexOf('\n') + 1) || lastUserMessage(request);
}
