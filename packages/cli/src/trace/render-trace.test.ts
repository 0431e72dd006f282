import { describe, expect, it } from 'vitest';
import type { RlmEvent, TrajectoryMetadata, TrajectoryResult } from '@rlm/shared';
import { renderTrace } from './render-trace.ts';

const usage = (inputTokens: number, outputTokens: number, cachedInputTokens = 0) => ({
  inputTokens,
  outputTokens,
  cachedInputTokens,
});

const metadata: TrajectoryMetadata = {
  type: 'metadata',
  version: 2,
  startedAt: '2026-11-24T12:00:00.000Z',
  mode: 'embedded',
  query: 'q',
  settings: {
    model: 'big',
    subModel: 'small',
    maxDepth: 2,
    maxIterations: 5,
    stepTimeoutMs: 1000,
    outputLimitChars: 100,
    maxOutputTokens: 50,
  },
  limits: { concurrency: 4 },
  context: { type: 'string', totalChars: 12_345, sha256: 'ab'.repeat(32) },
};

const ref = { sessionId: 'r', depth: 0 };
const child = { sessionId: 'r.1.2', depth: 1 };
/** A root that runs one step with a cached llm_query and an rlm_query whose child fails its step. */
const events: RlmEvent[] = [
  { type: 'session-start', ...ref, query: 'q', model: 'big', contextChars: 12_345 },
  { type: 'iteration-start', ...ref, iteration: 1 },
  {
    type: 'completion-end',
    ...ref,
    callId: 'r.t1',
    iteration: 1,
    forcedFinal: false,
    model: 'big',
    requestHash: 'h1',
    messageCount: 2,
    reply: '```repl\n...\n```',
    usage: usage(1000, 100, 512),
    costUsd: 0.01,
    durationMs: 120,
  },
  {
    type: 'step-start',
    ...ref,
    iteration: 1,
    step: 1,
    code: '{\n  const a = await llm_query("x");\n}',
  },
  {
    type: 'subcall-start',
    ...ref,
    callId: 'r.1.1',
    kind: 'llm',
    model: 'small',
    step: 1,
    promptChars: 1,
    promptHash: 'p1',
    prompt: 'x',
  },
  {
    type: 'subcall-start',
    ...ref,
    callId: 'r.1.2',
    kind: 'rlm',
    model: 'small',
    step: 1,
    promptChars: 5000,
    promptHash: 'p2',
    prompt: 'y',
  },
  {
    type: 'subcall-end',
    ...ref,
    callId: 'r.1.1',
    kind: 'llm',
    cacheHit: true,
    usage: usage(10, 2),
    costUsd: 0,
    answer: 'a',
    durationMs: 1,
  },
  {
    type: 'session-start',
    ...child,
    query: 'child',
    model: 'small',
    parentSessionId: 'r',
    parentCallId: 'r.1.2',
    contextChars: 5000,
  },
  { type: 'iteration-start', ...child, iteration: 1 },
  {
    type: 'completion-end',
    ...child,
    callId: 'r.1.2.t1',
    iteration: 1,
    forcedFinal: false,
    model: 'small',
    requestHash: 'h2',
    messageCount: 2,
    reply: 'code',
    usage: usage(200, 20),
    costUsd: 0.002,
    durationMs: 30,
  },
  { type: 'step-start', ...child, iteration: 1, step: 1, code: 'throw new Error("boom")' },
  {
    type: 'step-end',
    ...child,
    iteration: 1,
    step: 1,
    output: '',
    outputTotalChars: 0,
    error: { name: 'Error', message: 'boom' },
    pendingAwaited: 0,
    durationMs: 4,
  },
  {
    type: 'iteration-end',
    ...child,
    iteration: 1,
    codeBlocks: 1,
    final: false,
    feedback: 'Error: boom',
  },
  {
    type: 'completion-end',
    ...child,
    callId: 'r.1.2.final',
    iteration: 1,
    forcedFinal: true,
    model: 'small',
    requestHash: 'h3',
    messageCount: 5,
    reply: 'FINAL(none)',
    usage: usage(300, 5),
    costUsd: 0.003,
    durationMs: 20,
  },
  {
    type: 'session-end',
    ...child,
    stopReason: 'max_iterations',
    iterations: 1,
    answer: 'none',
    usage: usage(500, 25),
    costUsd: 0.005,
    durationMs: 60,
  },
  {
    type: 'subcall-end',
    ...ref,
    callId: 'r.1.2',
    kind: 'rlm',
    cacheHit: false,
    answer: 'none',
    durationMs: 70,
  },
  {
    type: 'step-end',
    ...ref,
    iteration: 1,
    step: 1,
    output: 'a none',
    outputTotalChars: 6,
    final: 'a none',
    pendingAwaited: 0,
    durationMs: 80,
  },
  { type: 'iteration-end', ...ref, iteration: 1, codeBlocks: 1, final: true },
  {
    type: 'session-end',
    ...ref,
    stopReason: 'final',
    iterations: 1,
    answer: 'a none',
    usage: usage(1000, 100, 512),
    costUsd: 0.01,
    durationMs: 250,
  },
];

const result: TrajectoryResult = {
  answer: 'a none',
  stopReason: 'final',
  iterations: 1,
  subcalls: 2,
  usage: { ...usage(1510, 127, 512), calls: 3 },
  cacheHits: 1,
  costUsd: 0.015,
  durationMs: 300,
};

describe('renderTrace', () => {
  it('draws session > iteration > step > sub-call > child session with figures on every line', () => {
    const lines = renderTrace({ metadata, events, result }, { color: false });
    expect(lines).toEqual([
      'trajectory v2, started 2026-11-24T12:00:00.000Z, embedded mode',
      '  model big, sub-model small, max depth 2, max iterations 5; context string, 12,345 chars, sha256 abababababab',
      'session d0  r  big  [final]  1 it  tree: 2 sessions, 2 it, 2 steps, 2 sub-calls (1 cache hits)  in 1,510 / out 127 / cached 512 tok, $0.0150  0.3 s  1 errors',
      '└─ iteration 1  big  in 1,000 / out 100 / cached 512 tok, $0.0100, 120 ms  FINAL',
      '   └─ step 1  80 ms  output 6 chars  FINAL  const a = await llm_query("x");',
      '      ├─ llm_query #1 d1  small  prompt 1 chars  in 10 / out 2 / cached 0 tok, $0.0000  1 ms  cache hit',
      '      └─ rlm_query #2 d1  small  prompt 5,000 chars  70 ms',
      '         └─ session d1  small  [max_iterations]  1 it  tree: 1 sessions, 1 it, 1 steps, 0 sub-calls (0 cache hits)  in 500 / out 25 / cached 0 tok, $0.0050  0.1 s  1 errors',
      '            ├─ iteration 1  small  in 200 / out 20 / cached 0 tok, $0.0020, 30 ms',
      '            │  └─ step 1  4 ms  output 0 chars  error Error: boom  throw new Error("boom")',
      '            └─ final-answer request  small  in 300 / out 5 / cached 0 tok, $0.0030, 20 ms',
      'result [final] 1 iterations, 2 sub-calls (1 cache hits), 3 LLM calls, in 1,510 / out 127 / cached 512 tok, $0.0150, 0.3 s',
      '  answer: a none',
    ]);
  });

  it('shows a compaction under its turn and tool calls under their step', () => {
    const withExtras: RlmEvent[] = [
      { type: 'session-start', ...ref, query: 'q', model: 'big' },
      { type: 'iteration-start', ...ref, iteration: 9 },
      {
        type: 'compaction',
        ...ref,
        iteration: 9,
        tokensBefore: 5_000,
        tokensAfter: 2_100,
        messagesCompacted: 12,
        requestHash: 'hc',
        summary: 'the summary',
        usage: usage(3000, 200),
        costUsd: 0.004,
      },
      { type: 'step-start', ...ref, iteration: 9, step: 9, code: 'await lookup({ id: 1 })' },
      { type: 'tool-end', ...ref, callId: 'r.9.1', name: 'lookup', step: 9, durationMs: 3 },
      { type: 'tool-end', ...ref, callId: 'r.9.2', name: 'lookup', step: 9, error: 'invalid argument: /id must be integer', durationMs: 1 },
      { type: 'step-end', ...ref, iteration: 9, step: 9, output: '', outputTotalChars: 0, pendingAwaited: 0, durationMs: 9 },
    ];
    const lines = renderTrace({ metadata, events: withExtras }, { color: false });
    expect(lines).toEqual(
      expect.arrayContaining([
        '   ├─ compacted  12 messages, 5,000 -> 2,100 tok  in 3,000 / out 200 / cached 0 tok, $0.0040',
        '      ├─ tool lookup  3 ms',
        '      └─ tool lookup  1 ms  error: invalid argument: /id must be integer',
      ]),
    );
    expect(lines.find((line) => line.startsWith('session d0'))).toContain('1 errors');
  });

  it('collapses sessions deeper than maxDepth into one summary line', () => {
    const lines = renderTrace({ metadata, events, result }, { color: false, maxDepth: 0 });
    expect(lines.some((line) => line.includes('session d1'))).toBe(false);
    expect(lines).toContain(
      '         └─ [collapsed] 1 session to depth 1, 1 it, 1 steps, 0 sub-calls (0 cache hits)  in 500 / out 25 / cached 0 tok, $0.0050  1 errors',
    );
  });

  it('shows what an unfinished run has, and says it did not finish', () => {
    const lines = renderTrace({ metadata, events: events.slice(0, 6) }, { color: false });
    expect(lines).toContain(
      'session d0  r  big  [unfinished]  1 it  tree: 1 sessions, 1 it, 1 steps, 2 sub-calls (0 cache hits)  in 1,000 / out 100 / cached 512 tok, $0.0100',
    );
    expect(lines.filter((line) => line.includes('(unfinished)'))).toHaveLength(3);
    expect(lines.at(-1)).toBe('no result line: the run did not finish');
  });

  it('colours only when asked', () => {
    const coloured = renderTrace({ metadata, events, result }, { color: true }).join('\n');
    expect(coloured).toContain('\u001b[32m[final]\u001b[0m');
    expect(coloured).toContain('\u001b[31merror Error: boom\u001b[0m');
    expect(renderTrace({ metadata, events, result }, { color: false }).join('\n')).not.toContain(
      '\u001b[',
    );
  });

  it('with code: each reply, each step code and output, and each sub-call answer, under their lines', () => {
    const lines = renderTrace({ metadata, events, result }, { color: false, code: true }).slice(2, 16);
    expect(lines).toEqual([
      expect.stringMatching(/^session d0 /),
      expect.stringMatching(/^└─ iteration 1 /),
      '   ├─ reply:',
      '   │    ```repl',
      '   │    ...',
      '   │    ```',
      expect.stringMatching(/^   └─ step 1 /),
      '      ├─ code:',
      '      │    {',
      '      │      const a = await llm_query("x");',
      '      │    }',
      '      ├─ output:',
      '      │    a none',
      expect.stringMatching(/^      ├─ llm_query #1 d1 .* cache hit {2}answer: /),
    ]);
  });
});
