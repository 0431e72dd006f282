/**
 * Plays the engine's part by hand against the real server: root prompt in
 * the engine's format, the solver's code run in node:vm with llm_query and
 * rlm_query wired back to the server through the real openai client.
 */
import vm from 'node:vm';
import { CHILD_QUERY, CONTEXT_PREVIEW_CHARS, QUESTION_HEADER } from '@rlm/shared';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../server/sim-server.ts';
import {
  generateTask,
  gradeAnswer,
  TASK_FAMILIES,
  type SyntheticTask,
} from '../tasks/generate-task.ts';
import { generateNeedleTask } from '../tasks/needle.ts';
import { generateOolongTask } from '../tasks/oolong.ts';
import { OOLONG_QUESTION_KINDS } from '../tasks/oolong-query.ts';
import { generatePairsTask } from '../tasks/pairs.ts';
import { createSolverPolicy } from './solver.ts';
import { answerSubcall } from './subcall-answerer.ts';
import { renderSubcallInstruction } from './subcall-instructions.ts';

type Message = { role: 'system' | 'user' | 'assistant'; content: string };

const SYSTEM_PROMPT =
  'You answer questions about a long context held in a JavaScript REPL. Use llm_query(prompt), ' +
  'llm_query_batched(prompts), rlm_query(prompt), rlm_query_batched(prompts), print(...) and FINAL(value).';

function firstUserMessage(context: string, query: string): string {
  return [
    `The context is a string of ${context.length} characters.`,
    `Its first ${CONTEXT_PREVIEW_CHARS} characters:`,
    context.slice(0, CONTEXT_PREVIEW_CHARS),
    '',
    QUESTION_HEADER,
    query,
  ].join('\n');
}

const codeBlocks = (reply: string): string[] =>
  [...reply.matchAll(/```repl\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

interface StepOutcome {
  output: string;
  final?: string;
}

/** A miniature engine: one session loop, REPL steps in node:vm, sub-calls over HTTP. */
class HandEngine {
  readonly client: OpenAI;
  constructor(baseUrl: string) {
    this.client = new OpenAI({ baseURL: baseUrl, apiKey: 'sim' });
  }

  async complete(messages: Message[]): Promise<string> {
    const response = await this.client.chat.completions.create({ model: 'sim-large', messages });
    return response.choices[0]?.message.content ?? '';
  }

  llmQuery = (prompt: string): Promise<string> =>
    this.complete([{ role: 'user', content: prompt }]).catch(
      (error: unknown) => `Error: ${String(error)}`,
    );

  async runStep(code: string, context: string): Promise<StepOutcome> {
    const lines: string[] = [];
    let final: string | undefined;
    const sandbox = vm.createContext({
      context,
      print: (...values: unknown[]) => lines.push(values.map(String).join(' ')),
      llm_query: this.llmQuery,
      llm_query_batched: (prompts: string[]) => Promise.all(prompts.map(this.llmQuery)),
      rlm_query: (prompt: string) =>
        this.session(prompt, CHILD_QUERY).then((result) => result.answer),
      rlm_query_batched: (prompts: string[]) =>
        Promise.all(
          prompts.map((prompt) =>
            this.session(prompt, CHILD_QUERY).then((result) => result.answer),
          ),
        ),
      FINAL: (value: unknown) => {
        final = String(value);
      },
    });
    await (vm.runInContext(`(async () => {\n${code}\n})()`, sandbox) as Promise<void>);
    return { output: lines.join('\n'), ...(final === undefined ? {} : { final }) };
  }

  async session(
    context: string,
    query: string,
    maxTurns = 4,
  ): Promise<{ answer: string; replies: string[] }> {
    const messages: Message[] = [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: firstUserMessage(context, query) },
    ];
    const replies: string[] = [];
    for (let turn = 0; turn < maxTurns; turn += 1) {
      const reply = await this.complete(messages);
      replies.push(reply);
      const plainFinal = /^FINAL\((.*)\)$/m.exec(reply);
      if (plainFinal) return { answer: plainFinal[1] ?? '', replies };
      let output = '';
      for (const code of codeBlocks(reply)) {
        const step = await this.runStep(code, context);
        output += step.output;
        if (step.final !== undefined) return { answer: step.final, replies };
      }
      messages.push(
        { role: 'assistant', content: reply },
        { role: 'user', content: `REPL output:\n${output}` },
      );
    }
    throw new Error('no final answer');
  }
}

describe('solver policy over HTTP', () => {
  let server: SimServer;
  let rlmServer: SimServer;
  const tasks = new Map<string, SyntheticTask>();

  beforeAll(async () => {
    server = await startSimServer({ policy: { type: 'solver' } });
    rlmServer = await startSimServer({ policy: { type: 'solver', strategy: 'rlm' } });
    for (const family of TASK_FAMILIES)
      tasks.set(family, generateTask(family, { seed: 21, contextChars: 1_000_000 }));
  });
  afterAll(async () => {
    await Promise.all([server.close(), rlmServer.close()]);
  });

  it.each(TASK_FAMILIES)(
    'peeks, then solves %s at 1M characters with llm_query_batched',
    async (family) => {
      const task = tasks.get(family) as SyntheticTask;
      server.resetStats();
      const engine = new HandEngine(server.baseUrl);
      const { answer, replies } = await engine.session(task.context, task.query);
      expect(codeBlocks(replies[0] ?? '')[0]).toContain('sim-solver: peek');
      expect(codeBlocks(replies[1] ?? '')[0]).toContain(`sim-solver: solve (${family}, llm)`);
      expect(gradeAnswer(task, answer)).toBe(1);
      const stats = server.stats();
      expect(stats.requestsByKind.root).toBe(2);
      // One sub-call per 50,000-character chunk (oolong filters lines in code first, so it may need fewer).
      if (family === 'oolong') expect(stats.requestsByKind.subcall).toBeGreaterThanOrEqual(1);
      else expect(stats.requestsByKind.subcall).toBeGreaterThanOrEqual(20);
      expect(stats.requestsByKind.subcall).toBeLessThanOrEqual(22);
      expect(stats.faultsInjected.total).toBe(0);
    },
  );

  it.each(TASK_FAMILIES)('solves %s at 1M characters through child RLMs', async (family) => {
    const task = tasks.get(family) as SyntheticTask;
    rlmServer.resetStats();
    const engine = new HandEngine(rlmServer.baseUrl);
    const { answer, replies } = await engine.session(task.context, task.query);
    expect(codeBlocks(replies[1] ?? '')[0]).toContain('rlm_query_batched');
    expect(gradeAnswer(task, answer)).toBe(1);
    const stats = rlmServer.stats();
    // Two root turns plus one turn per child; each child splits its chunk into ~4 sub-calls.
    const children = stats.requestsByKind.root - 2;
    expect(children).toBeGreaterThanOrEqual(family === 'oolong' ? 1 : 20);
    expect(stats.requestsByKind.subcall).toBeGreaterThanOrEqual(children * 3);
  });
});

describe('solver policy over every question shape', () => {
  let server: SimServer;
  beforeAll(async () => {
    server = await startSimServer({ policy: { type: 'solver', chunkChars: 20_000 } });
  });
  afterAll(() => server.close());

  const shapes = OOLONG_QUESTION_KINDS.flatMap((questionKind) =>
    [false, true].map((filtered) => ({ questionKind, filtered })),
  );
  it.each(shapes)(
    'oolong $questionKind (filters: $filtered)',
    async ({ questionKind, filtered }) => {
      const task = generateOolongTask({
        seed: 31,
        contextChars: 150_000,
        questionKind,
        userFilter: filtered,
        dateFilter: filtered,
      });
      const { answer } = await new HandEngine(server.baseUrl).session(task.context, task.query);
      expect(gradeAnswer(task, answer)).toBe(1);
    },
  );

  it.each([[['human being']], [['location', 'abbreviation']]] as const)(
    'pairs with labels %j',
    async (labels) => {
      const task = generatePairsTask({ seed: 32, contextChars: 150_000, labels });
      const { answer } = await new HandEngine(server.baseUrl).session(task.context, task.query);
      expect(gradeAnswer(task, answer)).toBe(1);
    },
  );

  it('needle with distractors at the very start and end', async () => {
    for (const depth of [0, 1]) {
      const task = generateNeedleTask({ seed: 33, contextChars: 150_000, depth, distractors: 4 });
      const { answer } = await new HandEngine(server.baseUrl).session(task.context, task.query);
      expect(answer).toBe(task.answer);
    }
  });

  it("gets a noisy classifier's count wrong, but close", async () => {
    const noisy = await startSimServer({
      policy: { type: 'solver', labelErrorRate: 0.05, seed: 3 },
    });
    try {
      const scores: number[] = [];
      for (const seed of [34, 35, 36]) {
        const task = generateOolongTask({
          seed,
          contextChars: 300_000,
          questionKind: 'count',
          userFilter: false,
          dateFilter: false,
        });
        const { answer } = await new HandEngine(noisy.baseUrl).session(task.context, task.query);
        scores.push(gradeAnswer(task, answer));
        expect(Math.abs(Number(answer) - (task.answer as number))).toBeLessThan(
          (task.answer as number) * 0.2,
        );
      }
      // Flips in and out of a label can cancel by chance for one question, not for all three.
      expect(Math.min(...scores)).toBeLessThan(1);
    } finally {
      await noisy.close();
    }
  });
});

describe('solver policy turns', () => {
  const policy = createSolverPolicy();
  const task = generateOolongTask({ seed: 2, contextChars: 20_000, questionKind: 'count' });
  const base: Message[] = [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: firstUserMessage(task.context, task.query) },
  ];
  const reply = (messages: Message[]): Promise<string> =>
    Promise.resolve(policy.reply({ model: 'sim-large', messages, stream: false }, 0)).then(String);

  it('answers a final-answer request with a plain FINAL line from the latest output', async () => {
    const messages: Message[] = [
      ...base,
      { role: 'assistant', content: 'peek' },
      { role: 'user', content: 'REPL output:\nlabel counts: {}\nANSWER_JSON="(1, 2)\\n(3, 4)"' },
      {
        role: 'user',
        content: 'You reached the iteration limit. Give your final answer now, with no more code.',
      },
    ];
    expect(await reply(messages)).toBe('FINAL((1, 2) (3, 4))');
    expect(
      await reply([
        ...base,
        { role: 'user', content: 'Iteration limit reached: give your final answer.' },
      ]),
    ).toBe('FINAL(I could not determine the answer.)');
    // Ordinary step messages that mention the limit alone are not final-answer requests.
    const ordinary = await reply([
      ...base,
      { role: 'assistant', content: 'peek' },
      { role: 'user', content: 'REPL output:\n...\n(iteration 2 of a maximum of 20 iterations)' },
    ]);
    expect(ordinary).toContain('sim-solver: solve');
  });

  it('repeats a printed answer as plain text when FINAL did not end the run, and retries a failed solve once', async () => {
    const solved = [
      ...base,
      { role: 'assistant' as const, content: 'peek' },
      { role: 'user' as const, content: 'ok' },
    ];
    const solve = await reply(solved);
    expect(solve).toContain('sim-solver: solve (oolong, llm)');
    const withAnswer = [
      ...solved,
      { role: 'assistant' as const, content: solve },
      { role: 'user' as const, content: 'ANSWER_JSON="17"' },
    ];
    expect(await reply(withAnswer)).toBe('FINAL(17)');
    const failed = [
      ...solved,
      { role: 'assistant' as const, content: solve },
      { role: 'user' as const, content: 'TypeError' },
    ];
    expect(await reply(failed)).toContain('sim-solver: solve');
    const failedTwice = [
      ...failed,
      { role: 'assistant' as const, content: solve },
      { role: 'user' as const, content: 'TypeError' },
    ];
    expect(await reply(failedTwice)).toBe('FINAL(I could not determine the answer.)');
  });

  it('writes child code that reads its instruction from the context', async () => {
    const instruction = renderSubcallInstruction({ family: 'needle', key: 'quiet-harbor' });
    const child = await reply([
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: firstUserMessage(`${instruction}\nsome text`, CHILD_QUERY) },
    ]);
    expect(child).toContain('sim-solver: child (needle)');
    expect(child).toContain("text.indexOf('\\n')");
  });

  it('answers unrecognised sub-calls briefly', async () => {
    expect(await reply([{ role: 'user', content: 'What is the capital of France?' }])).toMatch(
      /simulated model/,
    );
  });
});

describe('sub-call answerer', () => {
  const oolongInstruction = renderSubcallInstruction({ family: 'oolong' });

  it('labels lines with the generator function, and with seeded noise when asked', () => {
    const task = generateOolongTask({
      seed: 5,
      contextChars: 100_000,
      userFilter: false,
      dateFilter: false,
    });
    const exact = answerSubcall(`${oolongInstruction}\n${task.context}`, {
      labelErrorRate: 0,
      seed: 0,
    });
    for (const [label, count] of Object.entries(task.labelCounts))
      expect(exact).toContain(`${label}: ${count}`);
    const noisy = answerSubcall(`${oolongInstruction}\n${task.context}`, {
      labelErrorRate: 0.2,
      seed: 0,
    });
    expect(noisy).not.toBe(exact);
    expect(
      answerSubcall(`${oolongInstruction}\n${task.context}`, { labelErrorRate: 0.2, seed: 0 }),
    ).toBe(noisy);
    const total = [...noisy.matchAll(/: (\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    expect(total).toBe(task.context.split('\n').length);
  });

  it('finds needles by exact key only', () => {
    const prompt = (key: string): string =>
      `${renderSubcallInstruction({ family: 'needle', key })}\nfiller. One of the special magic numbers for quiet-harbor is: 1234567. more`;
    expect(answerSubcall(prompt('quiet-harbor'), { labelErrorRate: 0, seed: 0 })).toBe('1234567');
    expect(answerSubcall(prompt('quiet-harb'), { labelErrorRate: 0, seed: 0 })).toBe('NOT_FOUND');
  });
});
