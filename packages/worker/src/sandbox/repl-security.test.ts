/**
 * Containment: user code reaches nothing of the host process. Each test tries one way out and
 * asserts on what the code could observe from inside.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeReplHost } from './fake-repl-host.ts';
import { ReplSession } from './repl-session.ts';

const STEP = { timeoutMs: 10_000 };
const HOST_SECRET = 'sandbox-test-secret-8c1f';
let session: ReplSession;

beforeAll(async () => {
  process.env['RLM_SANDBOX_TEST_SECRET'] = HOST_SECRET;
  session = await ReplSession.create({ context: 'ctx', host: new FakeReplHost() });
});

afterAll(() => {
  session.dispose();
  delete process.env['RLM_SANDBOX_TEST_SECRET'];
});

async function evaluate(code: string): Promise<string> {
  const result = await session.execute(code, STEP);
  if (result.error) throw new Error(`${result.error.name}: ${result.error.message}`);
  return result.output.trimEnd();
}

/**
 * Walks everything reachable from globalThis (own properties, prototypes, function statics) and
 * reports anything that looks like an isolated-vm handle or contains the host's secret.
 */
const CRAWL = String.raw`
const seen = new Set();
const queue = [globalThis];
const found = [];
let visited = 0;
while (queue.length > 0 && visited < 20000) {
  const value = queue.shift();
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) continue;
  seen.add(value);
  visited++;
  const tag = Object.prototype.toString.call(value);
  let ctorName = '';
  try { ctorName = String(value.constructor && value.constructor.name); } catch {}
  if (/\b(Reference|ExternalCopy|Isolate|Callback|Dereference)\b/.test(tag + ' ' + ctorName)) found.push(tag + ' ' + ctorName);
  try { queue.push(Object.getPrototypeOf(value)); } catch {}
  for (const key of Reflect.ownKeys(value)) {
    let descriptor;
    try { descriptor = Object.getOwnPropertyDescriptor(value, key); } catch { continue; }
    if (!descriptor) continue;
    for (const inner of [descriptor.value, descriptor.get, descriptor.set]) {
      if (typeof inner === 'string' && inner.includes(${JSON.stringify(HOST_SECRET)})) found.push('secret at ' + String(key));
      queue.push(inner);
    }
  }
}
`;

describe('REPL containment', () => {
  it('has no require, process, module, Buffer, fetch, timers or ivm', async () => {
    const names = [
      'require',
      'process',
      'module',
      'exports',
      'Buffer',
      'fetch',
      'XMLHttpRequest',
      'WebSocket',
      'setTimeout',
      'setInterval',
      'ivm',
      '_ivm',
      'global',
    ];
    const output = await evaluate(
      `[${names.map((name) => `typeof ${name}`).join(', ')}].join(',')`,
    );
    expect(output).toBe(names.map(() => 'undefined').join(','));
  });

  it('cannot import modules', async () => {
    const result = await session.execute(
      "const fs = await import('fs'); typeof fs.readFileSync",
      STEP,
    );
    expect(result.error).toBeDefined();
    const childProcess = await session.execute("await import('node:child_process')", STEP);
    expect(childProcess.error).toBeDefined();
    expect(childProcess.output).toBe('');
  });

  it('constructor chains only reach the isolate realm', async () => {
    expect(await evaluate("this.constructor.constructor('return typeof process')()")).toBe(
      'undefined',
    );
    expect(await evaluate("this.constructor.constructor('return this')() === globalThis")).toBe(
      'true',
    );
    expect(await evaluate("llm_query.constructor('return typeof require')()")).toBe('undefined');
    expect(
      await evaluate(
        "llm_query('x').constructor.constructor.constructor('return typeof process')()",
      ),
    ).toBe('undefined');
    expect(await evaluate('print.constructor === Function && FINAL.constructor === Function')).toBe(
      'true',
    );
    expect(await evaluate("await (async () => {}).constructor('return typeof process')()")).toBe(
      'undefined',
    );
    expect(await evaluate('Object.getPrototypeOf(llm_query) === Function.prototype')).toBe('true');
  });

  it('exposes no isolated-vm handle and no host environment value anywhere reachable', async () => {
    const output = await evaluate(`${CRAWL}\nprint(visited > 100, JSON.stringify(found))`);
    expect(output).toBe('true []');
  });

  it('reveals no frames or receivers of the REPL internals to stack-trace tricks', async () => {
    // A sloppy-mode getter that the REPL's own print() calls directly (it reads a function's name):
    // both its stack frames and fn.caller must say nothing about the strict bootstrap frames.
    const output = await evaluate(String.raw`
      const leaks = [];
      const callers = [];
      let internalFrames = 0;
      Error.prepareStackTrace = (error, frames) => {
        for (const frame of frames) {
          if (frame.getFileName() !== 'rlm-bootstrap.js') continue;
          internalFrames++;
          if (frame.getThis() !== undefined || frame.getFunction() !== undefined) leaks.push(String(frame.getFunctionName()));
        }
        return 'stack';
      };
      const bait = function () {};
      Object.defineProperty(bait, 'name', {
        get: function sniff() {
          void new Error().stack;
          callers.push(sniff.caller === null ? 'null' : typeof sniff.caller);
          return 'bait';
        },
      });
      print(bait);
      void new Error().stack; // from the step itself: the runner's frame is below it
      delete Error.prepareStackTrace;
      JSON.stringify({ leaks, callers, sawInternals: internalFrames > 1 })
    `);
    const report = JSON.parse(output.split('\n').at(-1) ?? '') as {
      leaks: string[];
      callers: string[];
      sawInternals: boolean;
    };
    expect(report.leaks).toEqual([]);
    expect(report.sawInternals).toBe(true);
    expect(report.callers.length).toBeGreaterThan(0);
    expect(new Set(report.callers)).toEqual(new Set(['null']));
  });

  it('the step wrapper cannot walk up to its caller, the runner', async () => {
    // The wrapper is an async function: it has no own `caller`, so V8 throws instead of answering.
    expect(
      await evaluate(
        '(() => { try { return String(arguments.callee.caller); } catch (error) { return error.name; } })()',
      ),
    ).toBe('TypeError');
    expect(
      await evaluate(
        '(() => { try { return String(arguments[1].caller); } catch (error) { return error.name; } })()',
      ),
    ).toBe('TypeError');
  });

  it('refuses to copy accessor properties out to the host instead of running them', async () => {
    const output = await evaluate(`
      let ran = false;
      const options = {};
      Object.defineProperty(options, 'model', { enumerable: true, get() { ran = true; return 'm'; } });
      const reply = await llm_query('x', options);
      reply.startsWith('Error: ') + ' ' + ran
    `);
    expect(output).toBe('true false');
  });

  it('keeps sub-calls working when Object.prototype is poisoned with transfer options', async () => {
    const output = await evaluate(`
      for (const key of ['reference', 'externalCopy', 'copy', 'promise', 'result', 'arguments']) {
        Object.defineProperty(Object.prototype, key, { get() { return key === 'copy' ? false : true; }, configurable: true });
      }
      let reply;
      try { reply = await llm_query('poisoned'); } finally {
        for (const key of ['reference', 'externalCopy', 'copy', 'promise', 'result', 'arguments']) delete Object.prototype[key];
      }
      typeof reply + ':' + reply
    `);
    expect(output).toBe('string:answer to poisoned');
  });

  it('user code cannot see the references in the API functions source or properties', async () => {
    const output = await evaluate(
      "JSON.stringify([llm_query, print, FINAL, FINAL_VAR, SHOW_VARS, console.log].map((f) => Reflect.ownKeys(f).filter((k) => k !== 'length' && k !== 'name' && k !== 'prototype')))",
    );
    expect(output).toBe('[[],[],[],[],[],[]]');
  });
});
