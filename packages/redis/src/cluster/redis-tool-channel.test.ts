import { describe, expect, it } from 'vitest';
import type { ToolCallOutcome, ToolCallRequest, ToolCaller } from '@rlm/shared';
import { useRedis } from '../../../../test/support/redis-fixture.ts';
import { RedisToolCaller, RedisToolServer } from './redis-tool-channel.ts';

const redis = useRedis();

/** Answers by echoing, and records what it was asked. */
class EchoTools implements ToolCaller {
  readonly calls: ToolCallRequest[] = [];
  call(request: ToolCallRequest): Promise<ToolCallOutcome> {
    this.calls.push(request);
    return Promise.resolve(request.name === 'fail' ? { ok: false, error: 'nope' } : { ok: true, value: { echo: request.args } });
  }
}

describe('the Redis tool channel', () => {
  it('carries a call to the submitter and its outcome back, failures included', async () => {
    const keys = redis.freshKeys();
    const tools = new EchoTools();
    const server = new RedisToolServer(redis.client(), keys, 'root-1', tools, new AbortController().signal);
    const caller = new RedisToolCaller(redis.client(), keys, 'root-1');
    const signal = new AbortController().signal;
    try {
      const [ok, failed] = await Promise.all([
        caller.call({ callId: 'root-1.1.1', name: 'lookup', args: { id: 7 } }, signal),
        caller.call({ callId: 'root-1.1.2', name: 'fail', args: {} }, signal),
      ]);
      expect(ok).toEqual({ ok: true, value: { echo: { id: 7 } } });
      expect(failed).toEqual({ ok: false, error: 'nope' });
      expect(tools.calls.map((call) => call.callId).sort()).toEqual(['root-1.1.1', 'root-1.1.2']);
    } finally {
      await server.stop();
    }
  });

  it('answers a call made before the submitter started reading', async () => {
    const keys = redis.freshKeys();
    const caller = new RedisToolCaller(redis.client(), keys, 'root-2');
    const answer = caller.call({ callId: 'root-2.1.1', name: 'lookup', args: 1 }, new AbortController().signal);
    // The call is queued in Redis, with an expiry, before anyone serves it.
    await expect.poll(() => redis.client().llen(keys.toolCalls('root-2'))).toBe(1);
    expect(await redis.client().ttl(keys.toolCalls('root-2'))).toBeGreaterThan(0);
    const server = new RedisToolServer(redis.client(), keys, 'root-2', new EchoTools(), new AbortController().signal);
    try {
      expect(await answer).toEqual({ ok: true, value: { echo: 1 } });
    } finally {
      await server.stop();
    }
  });

  it('waits on at most 16 connections at once, whatever the number of calls', async () => {
    const keys = redis.freshKeys();
    const caller = new RedisToolCaller(redis.client(), keys, 'root-4');
    const signal = new AbortController().signal;
    const answers = Array.from({ length: 40 }, (_, index) => caller.call({ callId: `root-4.1.${index}`, name: 'lookup', args: index }, signal));
    // Nobody serves yet: only the calls holding a place have been sent.
    await expect.poll(() => redis.client().llen(keys.toolCalls('root-4'))).toBe(16);
    await redis.client().ping();
    expect(await redis.client().llen(keys.toolCalls('root-4'))).toBe(16);
    const server = new RedisToolServer(redis.client(), keys, 'root-4', new EchoTools(), new AbortController().signal);
    try {
      const outcomes = await Promise.all(answers);
      expect(outcomes.map((outcome) => (outcome.ok ? outcome.value : outcome.error))).toEqual(
        Array.from({ length: 40 }, (_, index) => ({ echo: index })),
      );
    } finally {
      await server.stop();
    }
  });

  it('gives up waiting when the step or request stops', async () => {
    const keys = redis.freshKeys();
    const caller = new RedisToolCaller(redis.client(), keys, 'root-3');
    const stop = new AbortController();
    const answer = caller.call({ callId: 'root-3.1.1', name: 'lookup', args: 1 }, stop.signal);
    await expect.poll(() => redis.client().llen(keys.toolCalls('root-3'))).toBe(1);
    stop.abort('timeout');
    expect(await answer).toEqual({ ok: false, error: 'stopped before the tool answered (timeout)' });
  });
});
