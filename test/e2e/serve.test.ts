/**
 * `rlm serve` as a child process, called by the real openai client
 * (non-streaming and streaming) and by raw HTTP for the error cases; a client
 * that disconnects mid-stream cancels the request's whole tree, as the
 * simulator sees it (its in-flight sub-calls are abandoned).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTask, gradeAnswer, startSimServer } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';
import { isSessionTurn, repl } from '../support/engine-requests.ts';
import { startServeProcess } from '../support/serve-process.ts';
import { waitFor } from '../support/wait-for.ts';
import type { ServeProcess } from '../support/serve-process.ts';

const TOKEN = 'caller-token-123';
const UPSTREAM_KEY = 'sk-upstream-SECRET-987';
const task = generateTask('needle', { seed: 11, contextChars: 60_000 });

let sim: SimServer;
let serve: ServeProcess;
let client: OpenAI;

beforeAll(async () => {
  sim = await startSimServer({ policy: { type: 'solver' } });
  serve = await startServeProcess(
    ['--base-url', sim.baseUrl, '--api-key', UPSTREAM_KEY, '--max-body-bytes', '1000000'],
    {
      RLM_AUTH_TOKENS: `other-token,${TOKEN}`,
    },
  );
  client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
});
afterAll(async () => {
  await serve?.stop();
  await sim?.close();
});

const conversation = (): OpenAI.Chat.ChatCompletionMessageParam[] => [
  { role: 'user', content: task.context },
  { role: 'user', content: task.query },
];

describe('rlm serve with the openai client', () => {
  it('answers a non-streaming request with real usage', async () => {
    const before = sim.stats().totalRequests;
    const completion = await client.chat.completions.create({
      model: 'rlm:sim-large',
      messages: conversation(),
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('rlm:sim-large');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(gradeAnswer(task, completion.choices[0]?.message.content ?? '')).toBe(1);
    const usage = completion.usage;
    expect(usage?.prompt_tokens).toBeGreaterThan(1000);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    // Every provider call of the tree reached the simulator: usage is the tree's, not one call's.
    expect(sim.stats().totalRequests - before).toBeGreaterThanOrEqual(2);
  });

  it('streams progress chunks, then the answer, usage and [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'rlm:sim-large',
      messages: conversation(),
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    const events: string[] = [];
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      const event = (chunk as unknown as { rlm_event?: { type: string } }).rlm_event;
      if (event !== undefined) events.push(event.type);
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(gradeAnswer(task, content)).toBe(1);
    expect(finish).toBe('stop');
    expect(events).toContain('session-start');
    expect(events).toContain('subcall-end');
    expect(events.at(-1)).toBe('session-end');
    expect(usage?.prompt_tokens).toBeGreaterThan(1000);
  });

  it('lists the upstream models, as RLMs and as plain (proxied) names', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual([
      'rlm:sim-large',
      'rlm:sim-small',
      'sim-large',
      'sim-small',
    ]);
  });

  it('passes RLM options from the rlm body field (a turn limit)', async () => {
    const completion = await client.chat.completions.create({
      model: 'rlm:sim-large',
      messages: conversation(),
      // @ts-expect-error -- the rlm extension field is ours, not in the openai types
      rlm: { max_iterations: 1 },
    });
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect((completion as unknown as { rlm: { stop_reason: string } }).rlm.stop_reason).toBe(
      'max_iterations',
    );
  });

  it('runs a request in the Python REPL when the rlm body field asks for it', async () => {
    // The rlm extension field is ours, not in the openai types: a variable skips the excess-property check.
    const body = { model: 'rlm:sim-large', messages: conversation(), stream: true as const, rlm: { repl: 'python' } };
    const stream = await client.chat.completions.create(body);
    let content = '';
    const code: string[] = [];
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      const event = (chunk as unknown as { rlm_event?: { type: string; code?: string } }).rlm_event;
      if (event?.type === 'step-start' && event.code !== undefined) code.push(event.code);
    }
    expect(gradeAnswer(task, content)).toBe(1);
    // The simulator wrote Python because the system prompt described a Python REPL.
    expect(code.some((step) => step.includes('return llm_query_batched(prompts)'))).toBe(true);
  });
});

describe('rlm serve errors (raw HTTP, OpenAI error shape)', () => {
  const post = (body: string | Buffer, token = TOKEN): Promise<Response> =>
    fetch(`${serve.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
  const cases: Array<[string, () => Promise<Response>, number, string]> = [
    ['bad JSON', () => post('{"model": "rlm:sim-large", "messages": ['), 400, 'invalid_json'],
    [
      'missing messages',
      () => post(JSON.stringify({ model: 'rlm:sim-large' })),
      400,
      'invalid_request',
    ],
    [
      'a last message that is not the user',
      () =>
        post(
          JSON.stringify({
            model: 'rlm:sim-large',
            messages: [{ role: 'assistant', content: 'hi' }],
          }),
        ),
      400,
      'invalid_request',
    ],
    [
      'an unknown model',
      () => post(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'q' }] })),
      404,
      'model_not_found',
    ],
    [
      'an unknown RLM option',
      () =>
        post(
          JSON.stringify({
            model: 'rlm:sim-large',
            rlm: { depth: 2 },
            messages: [{ role: 'user', content: 'q' }],
          }),
        ),
      400,
      'invalid_request',
    ],
    [
      'an invalid RLM option value',
      () =>
        post(
          JSON.stringify({
            model: 'rlm:sim-large',
            rlm: { max_depth: 99 },
            messages: [{ role: 'user', content: 'q' }],
          }),
        ),
      400,
      'invalid_request',
    ],
    [
      'an unknown REPL language',
      () =>
        post(
          JSON.stringify({
            model: 'rlm:sim-large',
            rlm: { repl: 'ruby' },
            messages: [{ role: 'user', content: 'q' }],
          }),
        ),
      400,
      'invalid_request',
    ],
    ['an oversized body', () => post(Buffer.alloc(2_000_000, 'a')), 413, 'request_too_large'],
    [
      'a wrong API key',
      () => post(JSON.stringify({ model: 'rlm:sim-large', messages: [] }), 'wrong-token'),
      401,
      'invalid_api_key',
    ],
    [
      'the upstream key used as caller token',
      () => post(JSON.stringify({ model: 'rlm:sim-large', messages: [] }), UPSTREAM_KEY),
      401,
      'invalid_api_key',
    ],
    ['no API key', () => fetch(`${serve.url}/v1/models`), 401, 'missing_api_key'],
  ];
  for (const [name, send, status, code] of cases) {
    it(`answers ${name} with ${status} ${code}`, async () => {
      const response = await send();
      expect(response.status).toBe(status);
      const body = (await response.json()) as {
        error: { message: string; type: string; code: string; param: unknown };
      };
      expect(body.error).toEqual({
        message: expect.any(String),
        type: expect.any(String),
        code,
        param: body.error.param ?? null,
      });
      expect(JSON.stringify(body)).not.toContain(UPSTREAM_KEY);
    });
  }

  it('the openai client surfaces those errors as typed errors', async () => {
    const wrong = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'nope', maxRetries: 0 });
    await expect(
      wrong.chat.completions.create({ model: 'rlm:sim-large', messages: conversation() }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(
      client.chat.completions.create({ model: 'no-such-model', messages: conversation() }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('serves /healthz without a token', async () => {
    const response = await fetch(`${serve.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', active: 0 });
  });

  it('never writes the upstream key or caller tokens to its log', () => {
    expect(serve.stderr()).not.toContain(UPSTREAM_KEY);
    expect(serve.stderr()).not.toContain(TOKEN);
  });
});

describe('rlm serve admission and cancellation', () => {
  const FAN_OUT = 6;
  let slowSim: SimServer;
  let slowServe: ServeProcess;
  beforeAll(async () => {
    // Sub-calls that would take two minutes: only cancellation can end this request in time.
    slowSim = await startSimServer({
      policy: {
        type: 'scripted',
        replies: (request) =>
          isSessionTurn(request)
            ? repl(
                `FINAL((await llm_query_batched(Array.from({ length: ${FAN_OUT} }, (_, i) => 'slow ' + i))).join(','))`,
              )
            : { content: 'late', delayMs: 120_000 },
      },
    });
    slowServe = await startServeProcess([
      '--base-url',
      slowSim.baseUrl,
      '--max-requests',
      '1',
      '--retry-after',
      '3',
    ]);
  });
  afterAll(async () => {
    await slowServe?.stop();
    await slowSim?.close();
  });

  it('answers 429 with Retry-After when full, and a disconnect mid-stream cancels the whole tree', async () => {
    const slowClient = new OpenAI({
      baseURL: `${slowServe.url}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
    });
    const controller = new AbortController();
    const stream = await slowClient.chat.completions.create(
      { model: 'rlm:sim-large', messages: [{ role: 'user', content: 'q' }], stream: true },
      { signal: controller.signal },
    );
    const reading = (async () => {
      const seen: string[] = [];
      try {
        for await (const chunk of stream) {
          const event = (chunk as unknown as { rlm_event?: { type: string } }).rlm_event;
          if (event !== undefined) seen.push(event.type);
        }
      } catch {
        // the abort below ends the iterator with an error
      }
      return seen;
    })();
    await waitFor('the fan-out to reach the simulator', () => slowSim.stats().inFlight === FAN_OUT);

    const refused = await fetch(`${slowServe.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'rlm:sim-large', messages: [{ role: 'user', content: 'q' }] }),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('3');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'rate_limit_exceeded',
    );

    controller.abort();
    expect(await reading).toContain('subcall-start');
    await waitFor(
      'every sub-call to be abandoned at the simulator',
      () => slowSim.stats().clientsGone === FAN_OUT,
    );
    expect(slowSim.stats()).toMatchObject({ inFlight: 0, completed: 1 });
    await waitFor('the server to free its slot', async () => {
      const health = (await (await fetch(`${slowServe.url}/healthz`)).json()) as { active: number };
      return health.active === 0;
    });
  });
});
