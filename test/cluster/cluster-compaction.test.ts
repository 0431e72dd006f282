/**
 * Compaction in cluster mode: the session loop runs in a real `rlm orchestrator`, the summary call
 * is an `llm` job like a turn, and the compaction events reach the submitter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompactionEvent, RlmEvent } from '@rlm/shared';
import type { SimRequest } from '@rlm/sim';
import { isSessionTurn, repl } from '../support/engine-requests.ts';
import { startClusterFixture } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

const WINDOW = 6_000;
const TURNS = 20;
let cluster: ClusterFixture;
let turn = 0;

function reply(request: SimRequest): string {
  if (request.messages[0]?.content?.startsWith('You are condensing') === true) return 'Summary: turns add to `total`.';
  if (!isSessionTurn(request)) return 'sub-call';
  turn += 1;
  if (turn === TURNS) return 'FINAL_VAR(total)';
  const rows = `print('turn ${turn}: ' + Array.from({ length: 250 }, (_, k) => k * ${turn}).join(' '))`;
  return repl(turn === 1 ? `var total = 1;\n${rows}` : `total += ${turn};\n${rows}`);
}

beforeAll(async () => {
  cluster = await startClusterFixture({ policy: { type: 'scripted', replies: reply }, contextWindowTokens: WINDOW });
  await Promise.all([cluster.start('worker'), cluster.start('orchestrator')]);
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

describe('compaction (cluster)', () => {
  it('compacts in the orchestrator, keeps the REPL state, and streams the events', async () => {
    const events: RlmEvent[] = [];
    const client = cluster.client({ contextWindow: WINDOW, maxIterations: TURNS + 5 });
    const result = await client.completion('a small context', 'add up the turn numbers', { onEvent: (event) => events.push(event) });
    expect(result.stopReason).toBe('final');
    expect(result.answer).toBe(String(((TURNS - 1) * TURNS) / 2));
    const compactions = events.filter((event): event is CompactionEvent => event.type === 'compaction');
    expect(compactions.length).toBeGreaterThanOrEqual(1);
    for (const compaction of compactions) expect(compaction.tokensAfter).toBeLessThan(compaction.tokensBefore);
  }, 120_000);
});
