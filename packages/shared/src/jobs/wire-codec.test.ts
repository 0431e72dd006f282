import { describe, expect, it } from 'vitest';
import type { BlobStore, RuntimeFactory } from '../cluster-ports.ts';
import { RlmError } from '../errors.ts';
import { sha256Hex } from '../hashing.ts';
import { LocalLedger } from '../budget/ledger.ts';
import { LocalLimiter } from '../budget/limiter.ts';
import { LocalRequestRuntime } from '../budget/request-runtime.ts';
import { INLINE_MESSAGE_LIMIT_CHARS, JOB_CATALOG, JOB_SCHEMA_VERSION } from './job-catalog.ts';
import type { JobKind, TaskOf } from './job-catalog.ts';
import { createJobProcessor } from './job-processor.ts';
import type { SessionSettings } from './task-schemas.ts';
import { decodeTask, encodeTask } from './wire-codec.ts';

/** Blobs in a map: the codec only needs put and get. */
function memoryBlobs(): BlobStore & { readonly size: number } {
  const blobs = new Map<string, string>();
  return {
    get size() {
      return blobs.size;
    },
    put: (text) => {
      const hash = sha256Hex(text);
      blobs.set(hash, text);
      return Promise.resolve(hash);
    },
    get: (hash) => Promise.resolve(blobs.get(hash)),
    has: (hash) => Promise.resolve(blobs.has(hash)),
  };
}

const settings: SessionSettings = {
  model: 'sim-large',
  subModel: 'sim-small',
  maxDepth: 2,
  maxIterations: 5,
  stepTimeoutMs: 1_000,
  outputLimitChars: 1_000,
  maxOutputTokens: 64,
};
const root = { rootId: 'r1', limits: {}, concurrency: 4 };
const blobContext = { kind: 'blob', hash: 'a'.repeat(64), format: 'text' } as const;

/** Encodes, checks the payload against the catalog's schema (as a job would travel), decodes. */
async function roundTrip<K extends JobKind>(kind: K, task: TaskOf[K], blobs: BlobStore): Promise<TaskOf[K]> {
  const wire = await encodeTask(kind, task, blobs);
  const payload = JOB_CATALOG[kind].payload.parse(JSON.parse(JSON.stringify({ v: JOB_SCHEMA_VERSION, root, task: wire })));
  return decodeTask(kind, payload.task, blobs);
}

describe('the wire codec and the job catalog', () => {
  it('sends a long message as a blob and restores it', async () => {
    const blobs = memoryBlobs();
    const long = 'x'.repeat(INLINE_MESSAGE_LIMIT_CHARS + 1);
    const task: TaskOf['llm'] = {
      callId: 's.1.1',
      sessionId: 's',
      depth: 1,
      purpose: 'subcall',
      request: { model: 'sim-small', messages: [{ role: 'system', content: 'short' }, { role: 'user', content: long }], maxTokens: 8 },
    };
    const wire = await encodeTask('llm', task, blobs);
    expect(wire.request.messages[1]).toEqual({ role: 'user', blob: sha256Hex(long) });
    expect(await roundTrip('llm', task, blobs)).toEqual(task);
    expect(JOB_CATALOG.llm.jobId(wire)).toBe('llm.s.1.1');
  });

  it('stores an inline session context once and sends its metadata', async () => {
    const blobs = memoryBlobs();
    const task: TaskOf['session'] = { sessionId: 's', depth: 0, context: { kind: 'inline', value: ['a', 'bb'] }, query: 'q', settings };
    const decoded = await roundTrip('session', task, blobs);
    expect(decoded.context).toEqual({ kind: 'blob', hash: sha256Hex('["a","bb"]'), format: 'json' });
    expect(decoded.contextMetadata).toMatchObject({ type: 'array of strings', items: 2, totalChars: 3 });
    expect(blobs.size).toBe(1);
  });

  it('carries a step with a blob context unchanged, and refuses an inline one', async () => {
    const blobs = memoryBlobs();
    const task: TaskOf['step'] = { sessionId: 's', depth: 0, step: 3, code: 'print(1)', context: blobContext, settings };
    expect(await roundTrip('step', task, blobs)).toEqual(task);
    expect(JOB_CATALOG.step.queueName(task.depth)).toBe('step-d0');
    await expect(encodeTask('step', { ...task, context: { kind: 'inline', value: 'text' } }, blobs)).rejects.toThrow('blob context');
  });

  it('stores a conversation\'s added contexts as blobs, like the first, and keeps its history', async () => {
    const blobs = memoryBlobs();
    const conversation = {
      conversationId: 'c',
      contexts: [{ kind: 'inline' as const, value: 'added text' }],
      contextMetadata: [],
      history: [{ question: 'q1', answer: 'a1' }],
    };
    const task: TaskOf['session'] = { sessionId: 's', depth: 0, context: { kind: 'inline', value: 'first' }, query: 'q', settings, conversation };
    const decoded = await roundTrip('session', task, blobs);
    expect(decoded.conversation).toEqual({
      ...conversation,
      contexts: [{ kind: 'blob', hash: sha256Hex('added text'), format: 'text' }],
    });
    // The loop hands the decoded scope to its steps, whose codec accepts only blob contexts.
    const step: TaskOf['step'] = { sessionId: 's', depth: 0, step: 1, code: 'x', context: blobContext, settings, conversation };
    await expect(encodeTask('step', step, blobs)).rejects.toThrow('blob context');
    const blobStep = { ...step, ...(decoded.conversation === undefined ? {} : { conversation: decoded.conversation }) };
    expect(await roundTrip('step', blobStep, blobs)).toEqual(blobStep);
  });

  it('rejects a payload of another schema version', () => {
    const parsed = JOB_CATALOG.session.payload.safeParse({ v: 1, root, task: {} });
    expect(parsed.success).toBe(false);
  });
});

describe('createJobProcessor', () => {
  const runtimes: RuntimeFactory & { closed: number } = {
    closed: 0,
    open(scope) {
      const runtime = new LocalRequestRuntime({ rootId: scope.rootId, ledger: new LocalLedger({}), limiter: new LocalLimiter(1) });
      return Object.assign(runtime, { close: () => void (runtimes.closed += 1) });
    },
  };
  const stepTask = { sessionId: 's', depth: 0, step: 1, code: 'print(1)', context: blobContext, settings };
  const job = (data: unknown) => ({ data, id: 'step.s.1', queueName: 'step-d0' });
  const result = { output: '1\n', outputTotalChars: 2, variables: [], pendingAwaited: 0, durationMs: 1 };

  it('hands the decoded task and the root runtime to the handler and closes the runtime', async () => {
    const processor = createJobProcessor('step', { runtimes, blobs: memoryBlobs() }, (task, runtime) => {
      expect(task).toEqual(stepTask);
      expect(runtime.rootId).toBe('r1');
      return Promise.resolve(result);
    });
    const closed = runtimes.closed;
    expect(await processor(job({ v: JOB_SCHEMA_VERSION, root, task: stepTask }))).toEqual({ ok: true, value: result });
    expect(runtimes.closed).toBe(closed + 1);
  });

  it('completes with errors as data: a refused budget keeps its code, a bad payload is internal', async () => {
    const processor = createJobProcessor('step', { runtimes, blobs: memoryBlobs() }, () =>
      Promise.reject(new RlmError('budget_exhausted', 'budget exhausted (max_tokens)')),
    );
    expect(await processor(job({ v: JOB_SCHEMA_VERSION, root, task: stepTask }))).toEqual({
      ok: false,
      error: { code: 'budget_exhausted', message: 'budget exhausted (max_tokens)', retryable: false },
    });
    const bad = await processor(job({ v: JOB_SCHEMA_VERSION, root, task: { ...stepTask, step: 0 } }));
    expect(bad).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
