/**
 * `rlm serve` conversations (issue 16) through the official openai client: `"rlm": {"conversation"}`
 * keeps the REPL across requests, ids are scoped to the caller's token, idle ones expire, and the
 * number of live ones is capped.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';
import { colourRows, conversationScript } from '../support/conversation-script.ts';
import { startServeProcess } from '../support/serve-process.ts';
import type { ServeProcess } from '../support/serve-process.ts';
import { waitFor } from '../support/wait-for.ts';

const ALICE = 'alice-token-1';
const BOB = 'bob-token-2';

let sim: SimServer;
let serve: ServeProcess;

interface RlmFacts {
  readonly stop_reason: string;
  readonly iterations: number;
  readonly subcalls: number;
}

function client(token: string, url = serve.url): OpenAI {
  return new OpenAI({ baseURL: `${url}/v1`, apiKey: token, maxRetries: 0 });
}

async function ask(
  caller: OpenAI,
  conversation: string,
  messages: OpenAI.Chat.ChatCompletionMessageParam[],
): Promise<{ answer: string; facts: RlmFacts }> {
  const completion = await caller.chat.completions.create({
    model: 'rlm:sim-large',
    messages,
    // @ts-expect-error -- the rlm extension field is ours, not in the openai types
    rlm: { conversation },
  });
  return {
    answer: completion.choices[0]?.message.content ?? '',
    facts: (completion as unknown as { rlm: RlmFacts }).rlm,
  };
}

async function liveConversations(url: string): Promise<number> {
  const response = await fetch(`${url}/healthz`);
  return ((await response.json()) as { conversations: number }).conversations;
}

const FIRST: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'user', content: colourRows() },
  { role: 'user', content: 'Count the colours of the rows.' },
];

beforeAll(async () => {
  sim = await startSimServer({ policy: { type: 'scripted', replies: conversationScript } });
  serve = await startServeProcess(['--base-url', sim.baseUrl, '--sub-model', 'sim-small', '--max-conversations', '2'], {
    RLM_AUTH_TOKENS: `${ALICE},${BOB}`,
  });
});
afterAll(async () => {
  await serve?.stop();
  await sim?.close();
});

describe('rlm serve conversations', () => {
  it('a follow-up reuses the REPL; another token with the same id gets its own conversation; the cap holds', async () => {
    const alice = client(ALICE);
    const first = await ask(alice, 'chat-1', FIRST);
    expect(first.answer).toBe(JSON.stringify({ red: 20, green: 10, blue: 10 }));
    expect(first.facts).toMatchObject({ stop_reason: 'final', subcalls: 4 });

    // A chat client sends the whole exchange again; the last user message is the question.
    const followUp = await ask(alice, 'chat-1', [
      ...FIRST,
      { role: 'assistant', content: first.answer },
      { role: 'user', content: 'Which colour is most common?' },
    ]);
    expect(followUp.answer).toBe('red');
    expect(followUp.facts).toMatchObject({ stop_reason: 'final', iterations: 1, subcalls: 0 });

    // Bob names the same id: a fresh conversation of his own, where `counts` does not exist yet.
    const bob = client(BOB);
    const bobs = await ask(bob, 'chat-1', [
      { role: 'user', content: colourRows() },
      { role: 'user', content: 'Which colour is most common?' },
    ]);
    expect(bobs.answer).toBe('red');
    expect(bobs.facts).toMatchObject({ stop_reason: 'final', iterations: 2, subcalls: 4 });
    // ...and his follow-ups stay in his conversation: history has his one question, not Alice's two.
    const bobsNext = await ask(bob, 'chat-1', [{ role: 'user', content: 'How many red rows are there?' }]);
    expect(bobsNext.answer).toMatch(/^20 red rows; 1 earlier, first answer red;/);
    expect(await liveConversations(serve.url)).toBe(2);

    // --max-conversations 2: a third is refused with 429, known ones go on.
    await expect(ask(alice, 'chat-2', FIRST)).rejects.toMatchObject({ status: 429, code: 'too_many_conversations' });
    // Streaming follow-ups continue the same conversation.
    const streaming: OpenAI.Chat.ChatCompletionCreateParamsStreaming = {
      model: 'rlm:sim-large',
      messages: [{ role: 'user', content: 'How many red rows are there?' }],
      stream: true,
    };
    // The rlm extension field is ours, not in the openai types.
    const stream = await alice.chat.completions.create({ ...streaming, rlm: { conversation: 'chat-1' } } as typeof streaming);
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toMatch(/^20 red rows; 2 earlier, first answer \{"red":20/);
  }, 120_000);

  it('a new conversation without a separate question is a 400; an idle one expires', async () => {
    const shortLived = await startServeProcess(['--base-url', sim.baseUrl, '--sub-model', 'sim-small', '--conversation-idle', '1']);
    try {
      const caller = client('unused', shortLived.url);
      await expect(ask(caller, 'solo', [{ role: 'user', content: colourRows() }])).rejects.toMatchObject({
        status: 400,
        code: 'conversation_needs_question',
      });
      await ask(caller, 'brief', FIRST);
      expect(await liveConversations(shortLived.url)).toBe(1);
      await waitFor('the idle conversation to expire', async () => (await liveConversations(shortLived.url)) === 0, 10_000);
      // The id now starts over: the follow-up has no `counts` and recomputes.
      const again = await ask(caller, 'brief', [
        { role: 'user', content: colourRows() },
        { role: 'user', content: 'Which colour is most common?' },
      ]);
      expect(again.facts).toMatchObject({ iterations: 2, subcalls: 4 });
    } finally {
      await shortLived.stop();
    }
  }, 120_000);
});
