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
    const rlm = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', subModel: 'sim-small', maxCostUsd });
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
