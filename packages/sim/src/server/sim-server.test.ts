import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { generateFiller } from '../tasks/filler.ts';
import { startSimServer, type SimServer } from './sim-server.ts';
import type { SimServerOptions } from './options.ts';
import { promptHash } from './stats.ts';

const servers: SimServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: SimServerOptions): Promise<{ server: SimServer; client: OpenAI }> {
  const server = await startSimServer(options);
  servers.push(server);
  return { server, client: new OpenAI({ baseURL: server.baseUrl, apiKey: 'sim', maxRetries: 0 }) };
}

const echo: SimServerOptions = { policy: { type: 'scripted', replies: () => 'ok' } };
const ask = (client: OpenAI, content: string, model = 'sim-large') =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content }] });

describe('sim server', () => {
  it('binds loopback on a random port and lists its models', async () => {
    const { server, client } = await start({ ...echo, models: ['m1', 'm2'] });
    expect(server.baseUrl).toBe(`http://127.0.0.1:${server.port}/v1`);
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['m1', 'm2']);
    await expect(ask(client, 'hi', 'unknown')).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  it('reports usage, with cached tokens for repeated long prompts only', async () => {
    const { server, client } = await start(echo);
    const long = generateFiller(1, 20_000);
    const first = await ask(client, long);
    expect(first.choices[0]?.message.content).toBe('ok');
    expect(first.usage?.prompt_tokens).toBeGreaterThan(3_000);
    expect(first.usage?.completion_tokens).toBe(1);
    expect(first.usage?.total_tokens).toBe((first.usage?.prompt_tokens ?? 0) + 1);
    expect(first.usage?.prompt_tokens_details?.cached_tokens).toBe(0);

    const second = await ask(client, long);
    const cached = second.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    expect(cached % 128).toBe(0);
    expect(cached).toBeGreaterThanOrEqual(1024);
    expect(cached).toBeLessThanOrEqual(second.usage?.prompt_tokens ?? 0);
    expect(cached).toBeGreaterThan((second.usage?.prompt_tokens ?? 0) - 256);

    // A shared long prefix with a different tail hits the cache for the prefix.
    const shared = await ask(client, `${long}\nand a different question at the end`);
    expect(shared.usage?.prompt_tokens_details?.cached_tokens).toBe(cached);

    const short = 'a short prompt that stays under the cache minimum';
    await ask(client, short);
    const shortAgain = await ask(client, short);
    expect(shortAgain.usage?.prompt_tokens_details?.cached_tokens).toBe(0);

    // Another model has its own cache.
    const otherModel = await ask(client, long, 'sim-small');
    expect(otherModel.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    expect(server.stats().cachedTokens).toBe(cached * 2);
  });

  it('streams SSE chunks with usage in the last chunk', async () => {
    const { client } = await start({
      policy: { type: 'scripted', replies: ['one two three four five six'] },
    });
    const stream = await client.chat.completions.create({
      model: 'sim-large',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finishReason: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('one two three four five six');
    expect(finishReason).toBe('stop');
    expect(usage?.completion_tokens).toBe(6);
  });

  it('answers 429 with Retry-After past the rate limit', async () => {
    let now = 1_000_000;
    const { server, client } = await start({
      ...echo,
      rateLimit: { requestsPerMinute: 2 },
      now: () => now,
    });
    await ask(client, 'a');
    now += 20_000;
    await ask(client, 'b');
    const response = await ask(client, 'c')
      .asResponse()
      .catch((error: unknown) => error);
    expect(response).toBeInstanceOf(OpenAI.APIError);
    const error = response as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limit_exceeded');
    // The first request leaves the window 40 s from now.
    expect(error.headers?.get('retry-after')).toBe('40');
    now += 40_000;
    await expect(ask(client, 'd')).resolves.toBeDefined();
    expect(server.stats()).toMatchObject({ totalRequests: 4, completed: 3, rateLimited: 1 });
  });

  it('injects server errors, empty content and null content', async () => {
    const failing = await start({ ...echo, faults: { errorRate: 1 } });
    const error = await ask(failing.client, 'x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect([500, 503]).toContain((error as InstanceType<typeof OpenAI.APIError>).status);
    expect(failing.server.stats().faultsInjected).toMatchObject({ total: 1, error: 1 });

    const empty = await start({ ...echo, faults: { emptyContentRate: 1 } });
    expect((await ask(empty.client, 'x')).choices[0]?.message.content).toBe('');

    const nulled = await start({ ...echo, faults: { nullContentRate: 1 } });
    const reply = await ask(nulled.client, 'x');
    expect(reply.choices[0]?.message.content).toBeNull();
    expect(reply.usage?.completion_tokens).toBe(0);
    expect(nulled.server.stats().faultsInjected).toMatchObject({ total: 1, nullContent: 1 });
  });

  it('injects a fraction of faults deterministically per seed', async () => {
    const outcomes = async (): Promise<string[]> => {
      const { client } = await start({
        ...echo,
        faults: { errorRate: 0.3, emptyContentRate: 0.3, seed: 42 },
      });
      const results: string[] = [];
      for (let index = 0; index < 20; index += 1) {
        results.push(
          await ask(client, 'x').then(
            (r) => `ok:${r.choices[0]?.message.content}`,
            () => 'error',
          ),
        );
      }
      return results;
    };
    const first = await outcomes();
    expect(await outcomes()).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['error', 'ok:', 'ok:ok']));
  });

  it('never answers a timeout fault, and close() still ends the socket', async () => {
    const { server, client } = await start({ ...echo, faults: { timeoutRate: 1 } });
    await expect(
      client.chat.completions.create(
        { model: 'sim-large', messages: [{ role: 'user', content: 'x' }] },
        { timeout: 200 },
      ),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    const pending = ask(client, 'never answered').catch((caught: unknown) => caught);
    await expect.poll(() => server.stats().totalRequests).toBe(2);
    await server.close();
    expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('counts callers that hang up before their answer', async () => {
    const { server, client } = await start({
      policy: { type: 'scripted', replies: [{ content: 'slow', delayMs: 60_000 }, 'fast'] },
    });
    const controller = new AbortController();
    const pending = client.chat.completions
      .create(
        { model: 'sim-large', messages: [{ role: 'user', content: 'x' }] },
        { signal: controller.signal },
      )
      .catch((caught: unknown) => caught);
    await expect.poll(() => server.stats().inFlight).toBe(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    await expect.poll(() => server.stats().clientsGone).toBe(1);
    await ask(client, 'answered');
    expect(server.stats()).toMatchObject({ clientsGone: 1, inFlight: 0, completed: 1 });
  });

  it('queues requests past the concurrency limit', async () => {
    const { server, client } = await start({
      ...echo,
      maxConcurrency: 2,
      latency: { firstTokenMs: 30, perOutputTokenMs: 0 },
    });
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, index) => ask(client, `q${index}`)),
    );
    expect(replies.every((reply) => reply.choices[0]?.message.content === 'ok')).toBe(true);
    expect(server.stats().maxInFlight).toBe(2);
    expect(server.stats().inFlight).toBe(0);
  });

  it('plays a scripted list in order, with statuses, and fails loudly when it runs out', async () => {
    const { client } = await start({
      policy: {
        type: 'scripted',
        replies: ['first', { content: 'second', delayMs: 5 }, { content: 'busy', status: 503 }],
      },
    });
    expect((await ask(client, 'a')).choices[0]?.message.content).toBe('first');
    expect((await ask(client, 'b')).choices[0]?.message.content).toBe('second');
    await expect(ask(client, 'c')).rejects.toMatchObject({
      status: 503,
      message: expect.stringContaining('busy'),
    });
    await expect(ask(client, 'd')).rejects.toMatchObject({
      status: 500,
      message: expect.stringContaining('scripted policy exhausted'),
    });
  });

  it('passes each request and its index to a scripted function', async () => {
    const { client } = await start({
      policy: {
        type: 'scripted',
        replies: (request, index) => `${index}:${request.messages.at(-1)?.content}`,
      },
    });
    expect((await ask(client, 'a')).choices[0]?.message.content).toBe('0:a');
    expect((await ask(client, 'b')).choices[0]?.message.content).toBe('1:b');
  });

  it('counts requests by prompt hash, model and kind', async () => {
    const { server, client } = await start(echo);
    const engineSystem = {
      role: 'system' as const,
      content: 'You have a REPL with llm_query(prompt).',
    };
    await Promise.all([
      ask(client, 'same'),
      ask(client, 'same'),
      ask(client, 'same'),
      ask(client, 'other', 'sim-small'),
    ]);
    await client.chat.completions.create({
      model: 'sim-large',
      messages: [engineSystem, { role: 'user', content: 'go' }],
    });
    const stats = server.stats();
    expect(stats.requestsByPromptHash.get(promptHash([{ role: 'user', content: 'same' }]))).toBe(3);
    expect(stats.requestsByPromptHash.get(promptHash([{ role: 'user', content: 'other' }]))).toBe(
      1,
    );
    expect(stats.requestsByModel).toEqual(
      new Map([
        ['sim-large', 4],
        ['sim-small', 1],
      ]),
    );
    expect(stats.requestsByKind).toEqual({ root: 1, subcall: 4 });
    server.resetStats();
    expect(server.stats()).toMatchObject({ totalRequests: 0, completed: 0, promptTokens: 0 });
  });

  it('rejects prompts beyond the context window and honours max_tokens', async () => {
    const { server, client } = await start({
      policy: { type: 'scripted', replies: () => generateFiller(2, 2_000) },
      contextWindowTokens: 100,
    });
    await expect(ask(client, generateFiller(3, 2_000))).rejects.toMatchObject({
      status: 400,
      code: 'context_length_exceeded',
    });
    const limited = await client.chat.completions.create({
      model: 'sim-large',
      messages: [{ role: 'user', content: 'short' }],
      max_tokens: 20,
    });
    expect(limited.choices[0]?.finish_reason).toBe('length');
    expect(limited.usage?.completion_tokens).toBeLessThanOrEqual(20);
    expect(server.stats().failed).toBe(1);
  });

  it('validates its options', async () => {
    await expect(startSimServer({ faults: { errorRate: 2 } })).rejects.toThrow(/errorRate/);
    await expect(startSimServer({ maxConcurrency: 0 })).rejects.toThrow(/maxConcurrency/);
  });
});
