/**
 * Issue 12, probe 1: memory the sandbox could allocate outside its isolate's limit. Each probe
 * would hold 768 MiB of host memory if it worked; the limit asserted is 200 MB of growth of this
 * process (the isolate's own 64 MB limit plus V8's slack), and each step ends with an error the
 * model can read. The probes stay small so that a regression shows as a failed assertion, not as
 * a machine out of memory.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ReplSession } from '@rlm/worker';
import type { ReplHost } from '@rlm/worker';
import { measureRssGrowth } from '../support/rss-peak.ts';

const MAX_GROWTH_MB = 200;
const QUARTER_GIB = 256 * 1024 * 1024;

const host: ReplHost = {
  llmQuery: () => Promise.resolve('unused'),
  llmQueryBatched: (prompts) => Promise.resolve(prompts.map(() => 'unused')),
  rlmQuery: () => Promise.resolve('unused'),
  rlmQueryBatched: (prompts) => Promise.resolve(prompts.map(() => 'unused')),
  callTool: () => Promise.resolve('unused'),
};

const sessions: ReplSession[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

async function probe(code: string) {
  const session = await ReplSession.create({ context: 'ctx', host, memoryLimitMb: 64 });
  sessions.push(session);
  return measureRssGrowth(() => session.execute(code, { timeoutMs: 30_000 }));
}

describe('sandbox memory is one budget', () => {
  it('has no WebAssembly, so WebAssembly.Memory cannot allocate outside the limit', async () => {
    const { value: result, growthMb } = await probe(
      `const memories = []; for (let i = 0; i < 3; i++) { const m = new WebAssembly.Memory({ initial: 4096 }); new Uint8Array(m.buffer).fill(1); memories.push(m); }`,
    );
    expect(result.error).toEqual({ name: 'ReferenceError', message: expect.stringContaining('WebAssembly is not defined') });
    expect(growthMb).toBeLessThan(MAX_GROWTH_MB);
  });

  it('cannot grow a resizable ArrayBuffer past what the allocator counted', async () => {
    const { value: result, growthMb } = await probe(
      `const kept = []; for (let i = 0; i < 3; i++) { const b = new ArrayBuffer(0, { maxByteLength: ${QUARTER_GIB} }); b.resize(${QUARTER_GIB}); new Uint8Array(b).fill(1); kept.push(b); }`,
    );
    expect(result.error?.name).toBe('TypeError');
    expect(result.error?.message).toMatch(/resize is not a function/);
    expect(growthMb).toBeLessThan(MAX_GROWTH_MB);
  });

  it('cannot grow a growable SharedArrayBuffer, nor transfer a buffer into a larger one', async () => {
    const grow = await probe(
      `const b = new SharedArrayBuffer(0, { maxByteLength: ${QUARTER_GIB} }); b.grow(${QUARTER_GIB});`,
    );
    expect(grow.value.error?.message).toMatch(/grow is not a function/);
    const transfer = await probe(`new ArrayBuffer(8, { maxByteLength: ${QUARTER_GIB} }).transfer(${QUARTER_GIB})`);
    expect(transfer.value.error?.message).toMatch(/transfer is not a function/);
    expect(Math.max(grow.growthMb, transfer.growthMb)).toBeLessThan(MAX_GROWTH_MB);
  });

  it('has no Intl, whose objects hold ICU memory outside the limit; toLocaleString still works', async () => {
    // 20,000 Intl.DateTimeFormat objects would hold some 500 MB of ICU memory (25 KB each, measured).
    const { value: result, growthMb } = await probe(
      `const kept = []; for (let i = 0; i < 20000; i++) kept.push(new Intl.DateTimeFormat('en'));`,
    );
    expect(result.error).toEqual({ name: 'ReferenceError', message: expect.stringContaining('Intl is not defined') });
    expect(growthMb).toBeLessThan(MAX_GROWTH_MB);
    const segments = await probe(`const s = 'a'.repeat(2e7).toUpperCase(); const kept = []; for (let i = 0; i < 20; i++) kept.push(new Intl.Segmenter().segment(s));`);
    expect(segments.value.error?.message).toMatch(/Intl is not defined/);
    expect(segments.growthMb).toBeLessThan(MAX_GROWTH_MB);
    const local = await probe(`print((1234.5).toLocaleString('en-US'), 'a'.localeCompare('b'), new Date(0).toLocaleDateString('en-US', { timeZone: 'UTC' }))`);
    expect(local.value.output).toBe('1,234.5 -1 1/1/1970\n');
  });

  it('counts plain ArrayBuffers against the limit: the step is killed, the session goes on', async () => {
    const session = await ReplSession.create({ context: 'ctx', host, memoryLimitMb: 64 });
    sessions.push(session);
    const { value: result, growthMb } = await measureRssGrowth(() =>
      session.execute(
        `const kept = []; for (let i = 0; i < 3; i++) { const b = new ArrayBuffer(${QUARTER_GIB}); new Uint8Array(b).fill(1); kept.push(b); }`,
        { timeoutMs: 30_000 },
      ),
    );
    expect(result.error?.message).toMatch(/Array buffer allocation failed|out of memory/);
    expect(growthMb).toBeLessThan(MAX_GROWTH_MB);
    expect((await session.execute('context', { timeoutMs: 5_000 })).output).toBe('ctx\n');
  });
});
