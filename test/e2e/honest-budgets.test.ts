/**
 * Budgets that afford the work let it run, and the worst case past a cap is
 * the bound the README states: with up to `concurrency` calls in flight, each
 * reserving its prompt plus an output estimate, a cost cap is overshot by at
 * most concurrency x maxOutputTokens x the output price. Real openai client,
 * real simulator over HTTP, the SDK as users call it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RLM } from '@rlm/sdk';
import { DEFAULT_PRICES } from '@rlm/shared';
import { startSimServer } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';
import { isSessionTurn, repl, turnIndex } from '../support/engine-requests.ts';

const FAN_OUT = 40;
const OUTPUT_PRICE = (DEFAULT_PRICES['sim-small']?.outputPerMillion ?? 0) / 1_000_000;

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A root that fans out FAN_OUT sub-calls at once and reports how many answered. */
async function fanOutSim(subcallReply: string): Promise<SimServer> {
  return startSimServer({
    policy: {
      type: 'scripted',
      replies: (request) =>
        !isSessionTurn(request)
          ? subcallReply
          : turnIndex(request) === 0
            ? repl(
                `const replies = await llm_query_batched(Array.from({ length: ${FAN_OUT} }, (_, i) => 'Summarise item ' + i));\nanswer.content = replies.filter((r) => !r.startsWith('Error')).length + ' of ${FAN_OUT}';\nFINAL(answer.content)`,
              )
            : 'FINAL(done)',
    },
  });
}

describe('honest budgets', () => {
  it(`${FAN_OUT} parallel sub-calls whose real cost is well under the cap all run, and the cost stays under it`, async () => {
    sim = await fanOutSim('ok');
    const maxCostUsd = 0.02;
    const rlm = new RLM({
      baseUrl: sim.baseUrl,
      model: 'sim-large',
      subModel: 'sim-small',
      maxCostUsd,
    });
    // Reserving every call's full output cap would not fit even the first wave of parallel calls.
    expect(32 * 4096 * OUTPUT_PRICE).toBeGreaterThan(maxCostUsd);
    const result = await rlm.completion('a small context', 'Summarise every item.');
    expect(result.stopReason).toBe('final');
    expect(result.answer).toBe(`${FAN_OUT} of ${FAN_OUT}`);
    expect(result.subcalls).toBe(FAN_OUT);
    expect(result.costUsd).toBeGreaterThan(0);
    expect(result.costUsd).toBeLessThan(maxCostUsd / 2);
  }, 60_000);

  it('past the cap, the overshoot stays within concurrency x maxOutputTokens x the output price (README)', async () => {
    const maxOutputTokens = 1_000;
    const concurrency = 8;
    // Every sub-call writes far more than the first estimate, up to its output cap: the worst case.
    sim = await fanOutSim('word '.repeat(5_000));
    const maxCostUsd = 0.005;
    const rlm = new RLM({
      baseUrl: sim.baseUrl,
      model: 'sim-large',
      subModel: 'sim-small',
      maxCostUsd,
      maxOutputTokens,
      concurrency,
    });
    const result = await rlm.completion('a small context', 'Summarise every item.');
    expect(result.stopReason).toBe('max_cost');
    const bound = concurrency * maxOutputTokens * OUTPUT_PRICE;
    expect(result.costUsd).toBeGreaterThan(maxCostUsd); // estimates were too low: a real overshoot ...
    expect(result.costUsd).toBeLessThanOrEqual(maxCostUsd + bound); // ... within the stated bound
    expect(result.usage.calls).toBeLessThan(FAN_OUT + 1);
  }, 60_000);
});

describe('rlm batch --max-cost-total', () => {
  it('bounds the whole batch, exits 3, and a later run with a larger cap finishes the pending pairs', async () => {
    const { mkdtemp, readFile, writeFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { runCli } = await import('../support/run-cli.ts');
    sim = await startSimServer({ policy: { type: 'scripted', replies: () => 'FINAL(42)' } });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rlm-batch-total-'));
    const input = path.join(dir, 'docs.jsonl');
    const out = path.join(dir, 'out.jsonl');
    const docs = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({ id: `d${i}`, text: `document ${i}` }),
    );
    await writeFile(input, `${docs.join('\n')}\n`);
    const batch = (cap: string) =>
      runCli([
        'batch',
        '--input',
        input,
        '--query',
        'What is the answer?',
        '--out',
        out,
        '--base-url',
        sim?.baseUrl ?? '',
        '--model',
        'sim-large',
        '--concurrency',
        '2',
        '--max-cost-total',
        cap,
        '--quiet',
      ]);

    const first = await batch('0.01');
    expect(first.code).toBe(3);
    expect(first.stderr).toMatch(
      /stopped at --max-cost-total \$0\.01: the pairs not started stay pending/,
    );
    const records = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { costUsd: number });
    const spent = records.reduce((sum, record) => sum + record.costUsd, 0);
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(12);
    // One root call per pair, each far below its output cap: no overshoot at all here.
    expect(spent).toBeLessThanOrEqual(0.01);

    const second = await batch('1');
    expect(second.code).toBe(0);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(12);
  }, 60_000);
});
