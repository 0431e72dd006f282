/**
 * The SDK as the reference library is called: `completion(prompt)` with the
 * request inside the prompt, beside `completion(context, query)`; option
 * typos are errors, not silently ignored settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RLM } from '@rlm/sdk';
import type { RequestOverrides, RLMOptions } from '@rlm/sdk';
import { isRlmError } from '@rlm/shared';
import { generateTask, gradeAnswer, startSimServer } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';

const task = generateTask('needle', { seed: 31, contextChars: 200_000 });
let sim: SimServer;
let rlm: RLM;

beforeAll(async () => {
  sim = await startSimServer({ policy: { type: 'solver' } });
  rlm = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', subModel: 'sim-small' });
});
afterAll(async () => {
  await sim?.close();
});

describe('RLM.completion', () => {
  it('completion(prompt): the question inside the prompt is found and answered', async () => {
    const result = await rlm.completion(`${task.query}\n\n${task.context}`);
    expect(result.stopReason).toBe('final');
    expect(gradeAnswer(task, result.answer)).toBe(1);
  }, 60_000);

  it('completion(prompt, options) takes options in the second place', async () => {
    const events: string[] = [];
    const result = await rlm.completion(`${task.context}\n\n${task.query}`, {
      onEvent: (event) => events.push(event.type),
    });
    expect(gradeAnswer(task, result.answer)).toBe(1);
    expect(events).toContain('session-start');
  }, 60_000);

  it('an empty prompt is bad input, not a run', async () => {
    await expect(rlm.completion('  ')).rejects.toMatchObject({
      code: 'config_invalid',
      message: 'the prompt is empty',
    });
  });

  it('completion(context, query) stays as it was', async () => {
    const result = await rlm.completion(task.context, task.query);
    expect(gradeAnswer(task, result.answer)).toBe(1);
  }, 60_000);
});

describe('new RLM(options)', () => {
  it.each([
    [
      { baseURL: 'http://127.0.0.1:9/v1' },
      /unknown RLM option "baseURL" \(did you mean "baseUrl"\?\)/,
    ],
    [{ baseUrl: 'http://127.0.0.1:9/v1', max_depth: 2 }, /unknown RLM option "max_depth"/],
    // A bad value is named by the option key the code wrote, not by a CLI flag.
    [{ baseUrl: 'http://127.0.0.1:9/v1', maxDepth: 0 }, /^maxDepth \/ RLM_MAX_DEPTH: expected a whole number from 1 to 8, got 0$/],
  ])('refuses %j', (options, message) => {
    let thrown: unknown;
    try {
      new RLM(options as unknown as RLMOptions);
    } catch (error) {
      thrown = error;
    }
    expect(isRlmError(thrown) && thrown.code).toBe('config_invalid');
    expect(String((thrown as Error).message)).toMatch(message);
  });
});

describe('per-request options', () => {
  const refusal = async (call: () => Promise<unknown>): Promise<string> => {
    const thrown: unknown = await call().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isRlmError(thrown) && thrown.code).toBe('config_invalid');
    return String((thrown as Error).message);
  };

  it('a typo in a budget override is an error, not an ignored cap', async () => {
    const before = sim.stats().totalRequests;
    expect(
      await refusal(() =>
        rlm.completion(task.context, task.query, {
          overrides: { maxCost: 0.0001 } as unknown as RequestOverrides,
        }),
      ),
    ).toMatch(/unknown request override "maxCost"/);
    expect(
      await refusal(() =>
        rlm.completion(task.context, task.query, {
          overrides: { max_depth: 2 } as unknown as RequestOverrides,
        }),
      ),
    ).toMatch(/unknown request override "max_depth"/);
    expect(sim.stats().totalRequests).toBe(before);
  });

  it('a setting one request may not change (the endpoint) is refused too', async () => {
    expect(
      await refusal(() =>
        rlm.completion(task.context, task.query, {
          overrides: { baseUrl: 'http://127.0.0.1:9/v1' } as unknown as RequestOverrides,
        }),
      ),
    ).toMatch(/unknown request override "baseUrl"/);
  });

  it('a typo in completion or ask options is an error, with the near spelling', async () => {
    const onevent = (): void => {};
    expect(
      await refusal(() =>
        rlm.completion(task.context, task.query, { onevent } as unknown as { onEvent: () => void }),
      ),
    ).toMatch(/unknown completion option "onevent" \(did you mean "onEvent"\?\)/);
    // completion(prompt, options) with the question put in the options by mistake
    expect(
      await refusal(() => rlm.completion(task.context, { query: task.query } as { signal?: AbortSignal })),
    ).toMatch(/unknown completion option "query"/);
    const conversation = rlm.conversation(task.context);
    try {
      expect(
        await refusal(() =>
          conversation.ask(task.query, { overrides: { maxcostusd: 1 } } as unknown as { signal?: AbortSignal }),
        ),
      ).toMatch(/unknown request override "maxcostusd" \(did you mean "maxCostUsd"\?\)/);
    } finally {
      await conversation.close();
    }
  });
});
