/**
 * Containment of the Python sandbox: each test tries one way out and asserts on what the code
 * could observe from inside. The host holds a canary secret in its environment and as its API key;
 * nothing the sandbox prints may contain either.
 *
 * The last group assumes the worst: Python code digs a proxy of a JavaScript object out of
 * Pyodide's internals (which it can) and runs JavaScript in the sandbox process. The process seal
 * must still hold.
 */
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeReplHost } from '../sandbox/fake-repl-host.ts';
import { PythonReplSession } from './python-repl-session.ts';

const STEP = { timeoutMs: 20_000 };
const ENV_CANARY = 'py-sandbox-env-canary-5d2a';
const KEY_CANARY = 'sk-py-sandbox-key-canary-91be';
let session: PythonReplSession;
let server: Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  process.env['RLM_PY_SANDBOX_CANARY'] = ENV_CANARY;
  process.env['OPENAI_API_KEY'] = KEY_CANARY;
  server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
  session = await PythonReplSession.create({ context: 'ctx', host: new FakeReplHost() });
});

afterAll(async () => {
  session.dispose();
  delete process.env['RLM_PY_SANDBOX_CANARY'];
  delete process.env['OPENAI_API_KEY'];
  await new Promise((resolve) => server.close(resolve));
});

async function run(code: string): Promise<string> {
  const result = await session.execute(code, STEP);
  const text = `${result.output}${result.error ? `${result.error.name}: ${result.error.message}` : ''}`;
  expect(text).not.toContain(ENV_CANARY);
  expect(text).not.toContain(KEY_CANARY);
  return text.trimEnd();
}

describe('Python sandbox containment', () => {
  it('has no environment variables', async () => {
    expect(await run('import os\nprint(dict(os.environ))')).toBe('{}');
    expect(await run('print(open("/proc/self/environ").read())')).not.toContain('CANARY');
  });

  it('sees an in-memory file system only', async () => {
    expect(await run('open("/etc/passwd").read()')).toMatch(/^FileNotFoundError/);
    expect(await run(`open(${JSON.stringify(import.meta.filename)}).read()`)).toMatch(
      /^FileNotFoundError/,
    );
    const listing = await run('import os\nprint(sorted(os.listdir("/")))');
    expect(listing).not.toContain('work');
    expect(listing).not.toContain('usr');
  });

  it('cannot start processes', async () => {
    expect(await run('import subprocess\nsubprocess.run(["ls"])')).toMatch(/^OSError/);
    // Pyodide hands os.system to Node, whose permission model refuses it: the interpreter dies.
    const system = await session.execute('import os\nos.system("ls")', STEP);
    expect(system.reset).toBe('crashed');
    expect(await run('print(len(context))')).toBe('3');
  });

  it('cannot open sockets or fetch', async () => {
    const socketTry = await run(
      `import socket\ns = socket.socket()\ns.settimeout(2)\ns.connect(("127.0.0.1", ${port}))\nprint("connected")`,
    );
    expect(socketTry).not.toContain('connected');
    expect(await run('import pyodide.http')).toMatch(/^ImportError/);
    expect(await run('import urllib.request\nurllib.request.urlopen("http://127.0.0.1:1/")')).toMatch(
      /Error/,
    );
    expect(connections).toBe(0);
  });

  it('refuses the modules that reach JavaScript', async () => {
    for (const module of ['js', 'pyodide_js', 'pyodide.code', 'pyodide.ffi', '_pyodide', 'micropip'])
      expect(await run(`import ${module}`)).toMatch(/^ImportError/);
  });
});

describe('Python sandbox containment after a JavaScript proxy leak', () => {
  // Pyodide's import hook keeps proxies of its JavaScript API; from any proxied function,
  // `.constructor` is the process's Function constructor.
  const LEAK = [
    'import gc',
    'finder = [o for o in gc.get_objects() if type(o).__name__ == "JsFinder"][0]',
    'api = finder.jsproxies["pyodide_js"]',
    'JS = api.runPython.constructor',
    'def js(source): return JS(source)()',
  ].join('\n');

  beforeAll(async () => {
    expect(await run(LEAK)).toBe('');
  });

  it('finds an empty environment', async () => {
    expect(await run('print(js("return JSON.stringify(process.env)"))')).toBe('{}');
  });

  it('cannot read host files through Node', async () => {
    const mounted = await run('import os\nos.mkdir("/host")\napi.mountNodeFS("/host", "/etc")\nprint(os.listdir("/host"))');
    expect(mounted).not.toContain('passwd');
    expect(
      await run(`print(js("try { return String(process.permission.has('fs.read', '/etc/passwd')) } catch (e) { return e.message }"))`),
    ).toBe('false');
  });

  it('cannot start processes, signal them, or load modules', async () => {
    const probe = await run(
      'print(js("return [typeof process.kill, typeof process._kill, typeof process._debugProcess, typeof process.dlopen, typeof process.getBuiltinModule, typeof require, String(process.permission.has(\'child\')), String(process.permission.has(\'worker\'))].join(\' \')"))',
    );
    expect(probe).toBe('undefined undefined undefined undefined undefined undefined false false');
    expect(await run(`print(js("try { process.binding('spawn_sync'); return 'reached' } catch (e) { return 'denied' }"))`)).toBe('denied');
  });

  it('has no network API left', async () => {
    expect(await run('print(js("return [typeof fetch, typeof WebSocket].join(\' \')"))')).toBe(
      'undefined undefined',
    );
    expect(await run(`print(js("try { process.binding('tcp_wrap'); return 'reached' } catch (e) { return 'denied' }"))`)).toBe('denied');
    expect(connections).toBe(0);
  });
});
