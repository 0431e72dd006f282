/**
 * Caller tools in cluster mode: the REPL runs on a real `rlm worker`, the session loop on a real
 * `rlm orchestrator`, and the handler in this test process (the submitter). Tool calls travel
 * over the request's Redis lists and back; a schema violation is refused here, before the handler.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimRequest } from '@rlm/sim';
import { isSessionTurn, lastUserMessage, repl, turnIndex } from '../support/engine-requests.ts';
import { startClusterFixture } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

let cluster: ClusterFixture;
/** What the model saw: the feedback of turn 1, by the query that identifies the request. */
const feedbackByQuery = new Map<string, string>();
const codeByQuery = new Map<string, string>();

function queryOf(request: SimRequest): string {
  const first = request.messages.find((message) => message.role === 'user')?.content ?? '';
  return [...codeByQuery.keys()].find((query) => first.includes(query)) ?? '';
}

const replies = (request: SimRequest): string => {
  if (!isSessionTurn(request)) return 'sub-call';
  const query = queryOf(request);
  if (turnIndex(request) === 0) return repl(codeByQuery.get(query) ?? 'print(1)');
  feedbackByQuery.set(query, lastUserMessage(request));
  return 'FINAL(done)';
};

beforeAll(async () => {
  cluster = await startClusterFixture({ policy: { type: 'scripted', replies } });
  await Promise.all([cluster.start('worker'), cluster.start('orchestrator')]);
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

const customerSchema = {
  type: 'object',
  properties: { id: { type: 'integer' } },
  required: ['id'],
  additionalProperties: false,
};

describe('caller tools (cluster)', () => {
  it('runs the handler in the submitter, refuses a schema violation without calling it, and leaves no key without expiry', async () => {
    const calls: unknown[] = [];
    const query = 'cluster tool query one';
    codeByQuery.set(
      query,
      [
        'const good = await lookup_customer({ id: 7 });',
        'const bad = await lookup_customer({ id: 7, extra: true });',
        'print(JSON.stringify(good)); print(bad);',
      ].join('\n'),
    );
    const client = cluster.client({
      tools: {
        lookup_customer: {
          description: 'Looks a customer up by id.',
          parameters: customerSchema,
          // The handler's process is this one: a worker could not reach this array.
          handler: (args: { id: number }) => {
            calls.push(args);
            return { id: args.id, tier: 'gold', pid: process.pid };
          },
        },
      },
    });
    const result = await client.completion('ctx', query);
    expect(result).toMatchObject({ answer: 'done', stopReason: 'final' });
    expect(calls).toEqual([{ id: 7 }]);
    const feedback = feedbackByQuery.get(query) ?? '';
    expect(feedback).toContain(`{"id":7,"tier":"gold","pid":${process.pid}}`);
    expect(feedback).toMatch(/Error: lookup_customer: invalid argument: .*must NOT have additional properties/);

    const redis = new Redis(cluster.redis.url);
    try {
      // Answered calls leave empty (deleted) lists; anything left must expire.
      const keys = await redis.keys(`${cluster.prefix}:root:*:tool-*`);
      const ttls = await Promise.all(keys.map((key) => redis.ttl(key)));
      expect(ttls.filter((ttl) => ttl <= 0)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 60_000);

  it('brings a handler error back to the model as a value', async () => {
    const query = 'cluster tool query two';
    codeByQuery.set(query, "const r = await flaky({ id: 1 }); print(typeof r, r); print('after');");
    const client = cluster.client({
      tools: {
        flaky: {
          description: 'Fails.',
          parameters: { type: 'object' },
          handler: () => Promise.reject(new Error('upstream 503')),
        },
      },
    });
    const result = await client.completion('ctx', query);
    expect(result.stopReason).toBe('final');
    const feedback = feedbackByQuery.get(query) ?? '';
    expect(feedback).toContain('string Error: flaky: upstream 503');
    expect(feedback).toContain('after');
  }, 60_000);
});
