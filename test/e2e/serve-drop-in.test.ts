/**
 * `rlm serve` with the shapes real clients send, through the real openai
 * client, against the simulator with a 128k-token window: one user message
 * holding a 2 MB document and the question (the openai client, the Vercel AI
 * SDK's `prompt:`, LangChain's `invoke(string)`), system + user, document +
 * question. Plain model names are proxied; /v1/models lists only names that
 * answer; callers cannot loosen the operator's limits; --direct-below sends
 * short `rlm:` requests straight to the model.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSolverPolicy,
  generateTask,
  gradeAnswer,
  isEngineSessionRequest,
  startSimServer,
} from '@rlm/sim';
import type { SimServer } from '@rlm/sim';
import { countMessageTokens } from '@rlm/shared';
import { startServeProcess } from '../support/serve-process.ts';
import type { ServeProcess } from '../support/serve-process.ts';

const WINDOW = 128_000;
const big = generateTask('needle', { seed: 21, contextChars: 2_000_000 });
const small = generateTask('needle', { seed: 22, contextChars: 40_000 });

/** The largest root-model prompt the simulator saw, in tokens, and the system prompts it was sent. */
const seen = { largestRootPrompt: 0, rootUserMessages: [] as string[] };
let sim: SimServer;
let serve: ServeProcess;
let client: OpenAI;

beforeAll(async () => {
  const solver = createSolverPolicy();
  sim = await startSimServer({
    contextWindowTokens: WINDOW,
    policy: {
      type: 'custom',
      policy: {
        reply: (request, index) => {
          if (isEngineSessionRequest(request.messages)) {
            const messages = request.messages.map((message) => ({
              role: 'user' as const,
              content: message.content ?? '',
            }));
            seen.largestRootPrompt = Math.max(seen.largestRootPrompt, countMessageTokens(messages));
            seen.rootUserMessages.push(request.messages[1]?.content ?? '');
          }
          return solver.reply(request, index);
        },
      },
    },
  });
  serve = await startServeProcess([
    '--base-url',
    sim.baseUrl,
    '--api-key',
    'sk-upstream-KEY-123456',
    '--models',
    'sim-large,sim-small',
    '--max-cost',
    '1',
    '--max-depth',
    '2',
    '--timeout',
    '600',
    '--max-tokens',
    '5000000',
    '--max-body-bytes',
    String(8 * 1024 * 1024),
  ]);
  client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'unused', maxRetries: 0 });
}, 30_000);
afterAll(async () => {
  await serve?.stop();
  await sim?.close();
});

const answerOf = (completion: OpenAI.Chat.ChatCompletion): string =>
  completion.choices[0]?.message.content ?? '';

describe('rlm serve: the shapes real clients send', () => {
  it('one user message holding a 2 MB document and the question: the right answer, root prompts far below the window', async () => {
    const failedBefore = sim.stats().failed;
    const completion = await client.chat.completions.create({
      model: 'rlm:sim-large',
      messages: [{ role: 'user', content: `${big.context}\n\n${big.query}` }],
    });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(gradeAnswer(big, answerOf(completion))).toBe(1);
    // No 400 context_length_exceeded (or any other error) from the upstream.
    expect(sim.stats().failed).toBe(failedBefore);
    expect(seen.largestRootPrompt).toBeGreaterThan(0);
    expect(seen.largestRootPrompt).toBeLessThan(WINDOW / 10);
    // The root model saw the context's tail, where the question is, not the document.
    expect(seen.rootUserMessages.at(-1)).toContain(big.query);
  }, 120_000);

  it('system + user: the system message is an instruction to the root model, not a document', async () => {
    const completion = await client.chat.completions.create({
      model: 'rlm:sim-large',
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: `${small.context}\n\n${small.query}` },
      ],
    });
    expect(gradeAnswer(small, answerOf(completion))).toBe(1);
    const root = seen.rootUserMessages.at(-1) ?? '';
    expect(root).toContain('You are a helpful assistant.');
    expect(root).toMatch(/Type: string/); // one document, not an array with the system text in it
  }, 60_000);

  it('document + question in two user messages keeps the question separate', async () => {
    const completion = await client.chat.completions.create({
      model: 'rlm:sim-small',
      messages: [
        { role: 'user', content: small.context },
        { role: 'user', content: small.query },
      ],
    });
    expect(gradeAnswer(small, answerOf(completion))).toBe(1);
    expect(seen.rootUserMessages.at(-1)).toMatch(
      new RegExp(`QUESTION:\\n${small.query.replace(/[?.]/g, '\\$&')}$`),
    );
  }, 60_000);
});

describe('rlm serve: the other shapes of the decision record', () => {
  const dropIn = `${small.context}\n\n${small.query}`;
  it.each<[string, OpenAI.Chat.ChatCompletionMessageParam[]]>([
    [
      'multi-part content (document part, question part)',
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: small.context },
            { type: 'text', text: small.query },
          ],
        },
      ],
    ],
    [
      'developer + user',
      [
        { role: 'developer', content: 'Answer with the number only.' },
        { role: 'user', content: dropIn },
      ],
    ],
    [
      'chat history (system, document, assistant, question)',
      [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: small.context },
        { role: 'assistant', content: 'I have read the document.' },
        { role: 'user', content: small.query },
      ],
    ],
  ])(
    '%s: the right answer',
    async (_shape, messages) => {
      const completion = await client.chat.completions.create({ model: 'rlm:sim-large', messages });
      expect(completion.choices[0]?.finish_reason).toBe('stop');
      expect(gradeAnswer(small, answerOf(completion))).toBe(1);
    },
    60_000,
  );
});

describe('rlm serve as a proxy', () => {
  it('passes a plain model name straight to the upstream (no REPL)', async () => {
    const before = sim.stats();
    const completion = await client.chat.completions.create({
      model: 'sim-small',
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    expect(completion.model).toBe('sim-small');
    const after = sim.stats();
    expect(after.totalRequests - before.totalRequests).toBe(1);
    expect(after.requestsByKind.root).toBe(before.requestsByKind.root);
  });

  it('lists only models that answer: every listed id completes without a 404', async () => {
    const ids = (await client.models.list()).data.map((model) => model.id).sort();
    expect(ids).toEqual(['rlm:sim-large', 'rlm:sim-small', 'sim-large', 'sim-small']);
    for (const id of ids) {
      const completion = await client.chat.completions.create({
        model: id,
        messages: [{ role: 'user', content: 'Reply with one word.' }],
        // @ts-expect-error -- the rlm extension field is ours
        rlm: { max_iterations: 2 },
      });
      expect(completion.choices).toHaveLength(1);
    }
  }, 60_000);

  it('a model outside --models is a 404, plain or rlm:', async () => {
    for (const model of ['gpt-4o', 'rlm:gpt-4o']) {
      await expect(
        client.chat.completions.create({ model, messages: [{ role: 'user', content: 'q' }] }),
      ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    }
  });
});

describe('rlm serve --max-cost lists no rlm: name its cap refuses', () => {
  let anyModel: SimServer;
  let capped: ServeProcess;
  beforeAll(async () => {
    // Like `rlm sim` or a vLLM / Ollama server: it answers a model the price table does not know.
    anyModel = await startSimServer({ policy: { type: 'solver' }, anyModel: true });
    capped = await startServeProcess([
      '--base-url',
      anyModel.baseUrl,
      '--models',
      'sim-large,qwen3-8b',
      '--max-cost',
      '1',
    ]);
  });
  afterAll(async () => {
    await capped?.stop();
    await anyModel?.close();
  });

  it('an unpriced model is listed only as a plain (proxied) name, and every listed id answers', async () => {
    const cappedClient = new OpenAI({
      baseURL: `${capped.url}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
    });
    const ids = (await cappedClient.models.list()).data.map((model) => model.id).sort();
    expect(ids).toEqual(['qwen3-8b', 'rlm:sim-large', 'sim-large']);
    for (const id of ids) {
      const completion = await cappedClient.chat.completions.create({
        model: id,
        messages: [{ role: 'user', content: 'Reply with one word.' }],
        // @ts-expect-error -- the rlm extension field is ours
        rlm: { max_iterations: 2 },
      });
      expect(completion.choices).toHaveLength(1);
    }
  }, 60_000);
});

describe('rlm serve: callers may only tighten the operator limits', () => {
  const refused = async (
    rlm: Record<string, unknown>,
    fields: Record<string, unknown> = {},
  ): Promise<{ status: number; param: string }> => {
    const response = await fetch(`${serve.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'rlm:sim-large',
        messages: [{ role: 'user', content: 'q' }],
        rlm,
        ...fields,
      }),
    });
    const body = (await response.json()) as { error: { param: string; message: string } };
    expect(body.error.message).not.toMatch(/--/); // request fields, not CLI flags
    return { status: response.status, param: body.error.param };
  };

  it.each([
    [{ max_cost_usd: 1000 }, 'rlm.max_cost_usd'],
    [{ max_depth: 3 }, 'rlm.max_depth'],
    [{ sub_model: 'gpt-4o' }, 'rlm.sub_model'],
    [{ max_iterations: 0 }, 'rlm.max_iterations'],
    [{ timeout_sec: 601 }, 'rlm.timeout_sec'],
    [{ max_tokens: 5_000_001 }, 'rlm.max_tokens'],
    [{ repl: 'ruby' }, 'rlm.repl'],
    [{ toString: 1 }, 'rlm.toString'],
    [{ constructor: 'x' }, 'rlm.constructor'],
  ])('refuses %j with a 400 naming %s', async (options, param) => {
    expect(await refused(options)).toEqual({ status: 400, param });
  });

  it('refuses a temperature out of range with a 400 naming the field', async () => {
    expect(await refused({}, { temperature: 5 })).toEqual({ status: 400, param: 'temperature' });
  });

  it('accepts a tighter budget and honours it', async () => {
    const completion = await client.chat.completions.create({
      model: 'rlm:sim-large',
      messages: [
        { role: 'user', content: small.context },
        { role: 'user', content: small.query },
      ],
      // @ts-expect-error -- the rlm extension field is ours
      rlm: { max_cost_usd: 0.5, max_depth: 1, sub_model: 'sim-small' },
    });
    expect(gradeAnswer(small, answerOf(completion))).toBe(1);
    expect((completion as unknown as { rlm: { cost_usd: number } }).rlm.cost_usd).toBeLessThan(0.5);
  }, 60_000);
});

describe('rlm serve --direct-below', () => {
  let direct: ServeProcess;
  beforeAll(async () => {
    direct = await startServeProcess(['--base-url', sim.baseUrl, '--direct-below', '2000']);
  });
  afterAll(async () => {
    await direct?.stop();
  });

  it('sends a short rlm: request straight to the model and a long one through the REPL', async () => {
    const directClient = new OpenAI({
      baseURL: `${direct.url}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
    });
    const before = sim.stats();
    const short = await directClient.chat.completions.create({
      model: 'rlm:sim-small',
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    expect(short.choices[0]?.message.content).not.toBe('');
    const afterShort = sim.stats();
    expect(afterShort.totalRequests - before.totalRequests).toBe(1);
    expect(afterShort.requestsByKind.root).toBe(before.requestsByKind.root);

    const long = await directClient.chat.completions.create({
      model: 'rlm:sim-small',
      messages: [{ role: 'user', content: `${small.context}\n\n${small.query}` }],
    });
    expect(gradeAnswer(small, answerOf(long))).toBe(1);
    expect(sim.stats().requestsByKind.root).toBeGreaterThan(afterShort.requestsByKind.root);
  }, 60_000);
});

describe('rlm serve never relays the upstream key', () => {
  const KEY = 'sk-upstream-ECHOED-987654321';
  let echoing: SimServer;
  let keyed: ServeProcess;
  beforeAll(async () => {
    echoing = await startSimServer({
      policy: {
        type: 'scripted',
        replies: () => ({ status: 401, content: `Incorrect API key provided: ${KEY}` }),
      },
    });
    keyed = await startServeProcess(['--base-url', echoing.baseUrl, '--api-key', KEY]);
  });
  afterAll(async () => {
    await keyed?.stop();
    await echoing?.close();
  });

  it('in the 502 of a failed RLM run and in a proxied 401, even when the provider echoes it', async () => {
    for (const model of ['rlm:sim-large', 'sim-large']) {
      const response = await fetch(`${keyed.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'doc and question' }] }),
      });
      const text = await response.text();
      expect(response.status).toBe(model.startsWith('rlm:') ? 502 : 401);
      expect(text).toMatch(/401|Incorrect API key/);
      expect(text).not.toContain(KEY);
    }
    expect(keyed.stderr()).not.toContain(KEY);
  });

  it('in a proxied 200 stream whose error event echoes it, even split across two writes', async () => {
    // An upstream that starts a stream, then reports an error with the key in it; the key's halves
    // are written 50 ms apart so they reach serve as separate chunks.
    const half = KEY.length / 2;
    const upstream = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n');
      response.write(`data: {"error":{"message":"key ${KEY.slice(0, half)}`);
      void sleep(50).then(() => {
        response.end(`${KEY.slice(half)} was revoked"}}\n\ndata: [DONE]\n\n`);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as AddressInfo).port;
    const streaming = await startServeProcess([
      '--base-url',
      `http://127.0.0.1:${port}/v1`,
      '--api-key',
      KEY,
    ]);
    try {
      const response = await fetch(`${streaming.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'any-model',
          stream: true,
          messages: [{ role: 'user', content: 'hello' }],
        }),
      });
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(text).toContain('"content":"Hi"');
      expect(text).toContain('was revoked');
      expect(text).not.toContain(KEY);
      expect(streaming.stderr()).not.toContain(KEY);
    } finally {
      await streaming.stop();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});
