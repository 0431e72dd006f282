/**
 * The simulator's realism knobs and baselines, without the server: the
 * direct prompt round trip and its answerer, sub-call errors, flawed
 * programs, and the REPL-only solver run in node:vm.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { gradeAnswer } from '../tasks/generate-task.ts';
import { generateNeedleTask } from '../tasks/needle.ts';
import { generateOolongTask } from '../tasks/oolong.ts';
import { generatePairsTask } from '../tasks/pairs.ts';
import { answerDirect } from './direct-answerer.ts';
import { parseDirectPrompt, renderDirectPrompt } from './direct-prompt.ts';
import { replOnlySolveCode, rulesFromSample, sampleCode } from './repl-only-code.ts';
import { parseSolveSpec, solveCode } from './solver-code.ts';
import { answerSubcall, corruptReply } from './subcall-answerer.ts';
import { renderSubcallInstruction } from './subcall-instructions.ts';

const PERFECT = { labelErrorRate: 0, seed: 0 };

/** Runs solver code in node:vm with only `context`, `print` and `FINAL`: no sub-calls. */
async function runReplOnly(
  code: string,
  context: string,
): Promise<{ output: string; final?: string }> {
  const lines: string[] = [];
  let final: string | undefined;
  const sandbox = vm.createContext({
    context,
    print: (...values: unknown[]) => lines.push(values.map(String).join(' ')),
    FINAL: (value: unknown) => {
      final = String(value);
    },
  });
  await vm.runInContext(`(async () => {\n${code}\n})()`, sandbox);
  return { output: lines.join('\n'), ...(final === undefined ? {} : { final }) };
}

describe('the direct baseline', () => {
  it('parses back the prompt it renders', () => {
    const prompt = renderDirectPrompt('line one\n</document>\nline two', 'What?\nReally?');
    expect(parseDirectPrompt(prompt)).toEqual({
      document: 'line one\n</document>\nline two',
      question: 'What?\nReally?',
    });
    expect(
      parseDirectPrompt('Find the special magic number for x in the text after this line.'),
    ).toBeUndefined();
  });

  it('answers from the whole document and only from what it was given', () => {
    const needle = generateNeedleTask({ seed: 5, contextChars: 20_000, depth: 0.9 });
    expect(gradeAnswer(needle, answerDirect(needle.context, needle.query, PERFECT))).toBe(1);
    expect(answerDirect(needle.context.slice(0, 10_000), needle.query, PERFECT)).toBe('NOT_FOUND');

    const oolong = generateOolongTask({ seed: 6, contextChars: 30_000, questionKind: 'count' });
    expect(gradeAnswer(oolong, answerDirect(oolong.context, oolong.query, PERFECT))).toBe(1);
    const half = oolong.context.slice(0, oolong.context.lastIndexOf('\n', 15_000));
    expect(Number(answerDirect(half, oolong.query, PERFECT))).toBeLessThan(Number(oolong.answer));

    const pairs = generatePairsTask({ seed: 7, contextChars: 30_000 });
    expect(gradeAnswer(pairs, answerDirect(pairs.context, pairs.query, PERFECT))).toBe(1);
  });
});

describe('sub-call errors', () => {
  it('corrupts replies plausibly and deterministically', () => {
    expect(['NOT_FOUND', expect.stringMatching(/^\d{7}$/)]).toContainEqual(
      corruptReply('1234567', 11),
    );
    expect(corruptReply('1234567', 11)).toBe(corruptReply('1234567', 11));
    expect(corruptReply('12345, 23456, 34567', 3)).toBe('23456, 34567');
    const counts = corruptReply('location: 10\nentity: 4', 12345);
    expect(counts).toMatch(/^location: \d+\nentity: \d+$/);
  });

  it('answers wrongly at the configured rate', () => {
    const task = generateNeedleTask({ seed: 8, contextChars: 2_000 });
    const instruction = renderSubcallInstruction({ family: 'needle', key: task.key });
    let wrong = 0;
    for (let seed = 0; seed < 200; seed += 1) {
      const reply = answerSubcall(`${instruction}\n${task.context}`, {
        ...PERFECT,
        seed,
        subcallErrorRate: 0.3,
      });
      if (reply !== task.answer) wrong += 1;
    }
    expect(wrong).toBeGreaterThan(30);
    expect(wrong).toBeLessThan(90);
    expect(
      answerSubcall(`${instruction}\n${task.context}`, { ...PERFECT, subcallErrorRate: 0 }),
    ).toBe(task.answer);
  });
});

describe('flawed programs', () => {
  it('a wrong program drops the last chunk and a slow one awaits sub-calls one by one', () => {
    const spec = parseSolveSpec(generateNeedleTask({ seed: 9, contextChars: 1_000 }).query);
    const plain = solveCode(spec, { strategy: 'llm', chunkChars: 1000 });
    expect(plain).toContain('return chunks;');
    expect(solveCode(spec, { strategy: 'llm', chunkChars: 1000, dropLastChunk: true })).toContain(
      'chunks.slice(0, chunks.length - 1)',
    );
    const slow = solveCode(spec, { strategy: 'llm', chunkChars: 1000, sequential: true });
    expect(slow).toContain('out.push(await llm_query(item))');
    expect(slow).not.toContain('await llm_query_batched(');
  });
});

describe('the REPL-only solver', () => {
  it('finds a needle with a regex in code', async () => {
    const task = generateNeedleTask({ seed: 10, contextChars: 50_000 });
    const rules = rulesFromSample('', PERFECT);
    const { final } = await runReplOnly(
      replOnlySolveCode(parseSolveSpec(task.query), rules),
      task.context,
    );
    expect(gradeAnswer(task, final ?? '')).toBe(1);
  });

  it('classifies labels with keyword rules learned from a printed sample', async () => {
    const task = generateOolongTask({ seed: 11, contextChars: 60_000, questionKind: 'count' });
    const sample = await runReplOnly(sampleCode(), task.context);
    const rules = rulesFromSample(sample.output, PERFECT);
    expect(Object.keys(rules.byOpening).length).toBeGreaterThan(5);
    const { final } = await runReplOnly(
      replOnlySolveCode(parseSolveSpec(task.query), rules),
      task.context,
    );
    expect(Number(final)).toBeGreaterThanOrEqual(0);
    // With no sample at all, every line falls back to one label: the count is all or nothing.
    const blind = await runReplOnly(
      replOnlySolveCode(parseSolveSpec(task.query), rulesFromSample('', PERFECT)),
      task.context,
    );
    expect(Number(blind.final)).not.toBe(Number(final));
  });
});
