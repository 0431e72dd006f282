/**
 * Issue 12's sub-call limits in cluster mode (real redis-server, an `rlm worker` and an
 * `rlm orchestrator` child process, the simulator over HTTP): a step's calls wait on the worker in
 * its pool (as many running places as the request's concurrency), so a flood is refused past the
 * pending cap (per session in cluster mode) and a killed step's waiting calls are never sent; its
 * running LLM jobs are aborted through the cancellation bus (shared/src/step-stop.ts), so the next
 * turn does not wait for them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterFixture } from '../cluster/cluster-fixture.ts';
import type { ClusterFixture } from '../cluster/cluster-fixture.ts';
import { isSessionTurn, lastUserMessage, repl, turnIndex } from '../support/engine-requests.ts';

let fixture: ClusterFixture;
let subcallsReceived = 0;
const feedback: string[] = [];

beforeAll(async () => {
  fixture = await startClusterFixture({
    policy: {
      type: 'scripted',
      replies: (request) => {
        if (!isSessionTurn(request)) {
          subcallsReceived += 1;
          return request.messages.at(-1)?.content?.startsWith('slow') === true ? { content: 'late', delayMs: 60_000 } : 'ok';
        }
        const query = lastUserMessage(request);
        if (turnIndex(request) > 0) {
          feedback.push(query);
          return 'FINAL(recovered)';
        }
        if (request.messages.some((message) => message.content?.includes('FLOOD') === true))
          return repl(
            `const r = await llm_query_batched(Array.from({ length: 5000 }, (_, i) => 'fast ' + i));\n` +
              `print(r.filter((a) => a.startsWith('Error: sub-call refused')).length, r.filter((a) => a === 'ok').length);`,
          );
        return repl(`const pending = Array.from({ length: 2000 }, (_, i) => llm_query('slow ' + i));\nprint('started');\nawait pending[0];`);
      },
    },
  });
  await fixture.start('worker');
  await fixture.start('orchestrator');
}, 60_000);
afterAll(async () => fixture?.stop());

describe('sub-call limits in cluster mode', () => {
  it('a killed step sends none of its waiting calls and aborts its running ones; the next turn runs at once', async () => {
    subcallsReceived = 0;
    feedback.length = 0;
    const goneBefore = fixture.sim.stats().clientsGone;
    const rlm = fixture.client({ concurrency: 2, stepTimeoutSec: 2 });
    const result = await rlm.completion('ctx', 'KILL');
    expect(result).toMatchObject({ answer: 'recovered', stopReason: 'final', iterations: 2 });
    expect(feedback[0]).toContain('started');
    expect(feedback[0]).toContain('TimeoutError');
    // Two running places (concurrency 2): at most two of the 2,000 calls ever reached the provider.
    expect(subcallsReceived).toBeLessThanOrEqual(2);
    // Both running calls (which held both concurrency slots) were aborted by their worker.
    await expect.poll(() => fixture.sim.stats().clientsGone - goneBefore).toBe(subcallsReceived);
    // Not the 60 s the slow calls would have taken: the next turn got a slot when they were aborted.
    expect(result.durationMs).toBeLessThan(30_000);
  });

  it('refuses a flood past the pending cap with an error string per call', async () => {
    subcallsReceived = 0;
    feedback.length = 0;
    const rlm = fixture.client({ maxPendingSubcalls: 300, concurrency: 16 });
    const result = await rlm.completion('ctx', 'FLOOD');
    expect(result.stopReason).toBe('final');
    expect(feedback[0]).toContain('4700 300\n');
    expect(subcallsReceived).toBe(300);
  });
});
