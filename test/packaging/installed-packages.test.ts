/**
 * The packages as a user gets them: `./dev pack` writes the tarballs, npm
 * installs them into an empty project outside the repository, and then the
 * installed `rlm` binary, an ESM script importing @rlm/sdk and a strict
 * TypeScript consumer run there against the simulator. Needs npm and the npm
 * registry (third-party dependencies come from it; --prefer-offline reuses
 * the npm cache). Everything is written to a temporary directory.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_NODE_RANGE } from '@rlm/shared';
import { generateTask, gradeAnswer, startSimServer } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const task = generateTask('needle', { seed: 11, contextChars: 60_000 });

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a user's shell: this Node first on PATH, and none of the
 * npm_* / pnpm settings the test runner inherited from `pnpm test`.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|NODE_OPTIONS$|OPENAI_|RLM_|REDIS_URL$)/i.test(key)) env[key] = value;
  }
  env['PATH'] = `${path.dirname(process.execPath)}${path.delimiter}${process.env['PATH'] ?? ''}`;
  return { ...env, ...extra };
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  extra: Record<string, string> = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: userEnv(extra), maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let dir: string;
let project: string;
let tarballs: string[];
let sim: SimServer;
let contextFile: string;
const distExisted = existsSync(path.join(ROOT, 'dist'));

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rlm-installed-'));
  const out = path.join(dir, 'tarballs');
  const packed = await run('bash', [path.join(ROOT, 'dev'), 'pack', '--out', out], ROOT);
  expect(packed.stderr, 'pack').not.toMatch(/error/i);
  expect(packed.code).toBe(0);
  tarballs = (await readdir(out))
    .filter((name) => name.endsWith('.tgz'))
    .map((name) => path.join(out, name));

  project = path.join(dir, 'project');
  await mkdir(project);
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  const installed = await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      ...tarballs,
      '@types/node@^24',
    ],
    project,
  );
  expect(installed.stderr, 'npm install').toBe('');
  expect(installed.code).toBe(0);

  sim = await startSimServer({ policy: { type: 'solver' } });
  contextFile = path.join(dir, 'context.txt');
  await writeFile(contextFile, task.context);
}, 300_000);

afterAll(async () => {
  await sim?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('./dev pack', () => {
  it('writes a tarball for @rlm/sdk, @rlm/cli and every package they need, and nothing into the repository', async () => {
    const names = tarballs.map((file) => path.basename(file));
    expect(names).toEqual(
      expect.arrayContaining(['rlm-sdk-0.1.0.tgz', 'rlm-cli-0.1.0.tgz', 'rlm-shared-0.1.0.tgz']),
    );
    expect(existsSync(path.join(ROOT, 'dist'))).toBe(distExisted);
    for (const name of await readdir(path.join(ROOT, 'packages')))
      expect(existsSync(path.join(ROOT, 'packages', name, 'dist')), name).toBe(false);
  });

  it('packs manifests with real versions and exports that point at built JavaScript and declarations', async () => {
    for (const name of ['sdk', 'cli', 'shared', 'worker']) {
      const packageDir = path.join(project, 'node_modules/@rlm', name);
      const manifest = JSON.parse(
        await readFile(path.join(packageDir, 'package.json'), 'utf8'),
      ) as {
        private?: boolean;
        engines: { node: string };
        dependencies: Record<string, string>;
        exports: Record<string, { types: string; default: string }>;
      };
      expect(manifest.private, name).toBeUndefined();
      expect(manifest.engines.node).toBe(SUPPORTED_NODE_RANGE);
      expect(
        Object.values(manifest.dependencies).filter((range) => range.startsWith('workspace:')),
      ).toEqual([]);
      const entry = manifest.exports['.'];
      expect(entry?.default).toBe('./dist/index.js');
      for (const file of [
        entry?.default,
        entry?.types,
        './dist/index.js.map',
        './dist/index.d.ts.map',
      ])
        expect(existsSync(path.join(packageDir, file ?? 'missing')), `${name} ${file}`).toBe(true);
    }
  });

  it('ships source and declaration maps whose sources are the shipped TypeScript files', async () => {
    const scope = path.join(project, 'node_modules/@rlm');
    let maps = 0;
    const unresolved: string[] = [];
    for (const name of await readdir(scope)) {
      const dist = path.join(scope, name, 'dist');
      for (const file of await readdir(dist, { recursive: true })) {
        if (!file.endsWith('.map')) continue;
        maps += 1;
        const map = JSON.parse(await readFile(path.join(dist, file), 'utf8')) as {
          sources: string[];
        };
        for (const source of map.sources) {
          const resolved = path.resolve(path.dirname(path.join(dist, file)), source);
          if (
            !resolved.startsWith(path.join(scope, name, 'src') + path.sep) ||
            !existsSync(resolved)
          )
            unresolved.push(`@rlm/${name} dist/${file}: ${source}`);
        }
      }
    }
    expect(maps).toBeGreaterThan(100);
    expect(unresolved).toEqual([]);
  });

  it('imports only its declared dependencies and Node built-ins (strict installers such as pnpm need that)', async () => {
    const scope = path.join(project, 'node_modules/@rlm');
    let checked = 0;
    for (const name of await readdir(scope)) {
      const manifest = JSON.parse(
        await readFile(path.join(scope, name, 'package.json'), 'utf8'),
      ) as {
        dependencies?: Record<string, string>;
      };
      const declared = new Set(Object.keys(manifest.dependencies ?? {}));
      const dist = path.join(scope, name, 'dist');
      for (const file of await readdir(dist, { recursive: true })) {
        if (!/\.(js|d\.ts)$/.test(file)) continue;
        const text = await readFile(path.join(dist, file), 'utf8');
        for (const [, specifier = ''] of text.matchAll(/(?:from|import\()\s*'([^'.][^']*)'/g)) {
          if (specifier.startsWith('node:')) continue;
          const packageName = specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/');
          expect(declared.has(packageName), `@rlm/${name} dist/${file} imports ${specifier}`).toBe(
            true,
          );
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe('the installed rlm binary', () => {
  it('prints the installed package version with npx rlm --version', async () => {
    const version = await run('npx', ['--no-install', 'rlm', '--version'], project);
    const { version: expected } = JSON.parse(
      await readFile(path.join(ROOT, 'packages/cli/package.json'), 'utf8'),
    ) as {
      version: string;
    };
    expect(version).toMatchObject({ code: 0, stdout: `${expected}\n` });
  });

  it.each([
    ['answers a query with npx rlm run against the simulator, started without any Node flag', []],
    [
      'answers with --repl python: the sandbox child and its Python runtime load from the installed package',
      ['--repl', 'python'],
    ],
  ])(
    '%s',
    async (_name, replFlags: string[]) => {
      const result = await run(
        'npx',
        [
          '--no-install',
          'rlm',
          'run',
          ...replFlags,
          '--context',
          contextFile,
          '--query',
          task.query,
          '--base-url',
          sim.baseUrl,
          '--model',
          'sim-large',
          '--json',
        ],
        project,
      );
      // stderr carries the progress lines; stdout only the JSON result.
      expect(result.code, result.stderr).toBe(0);
      const output = JSON.parse(result.stdout) as { answer: string; stopReason: string };
      expect(output.stopReason).toBe('final');
      expect(gradeAnswer(task, output.answer)).toBe(1);
    },
    120_000,
  );
});

/**
 * A Node older than the packages support: the machine's own when it has one (a fresh CI machine
 * has Node 20), else Node 20 fetched from the npm registry as ./dev fetches Node 24.
 */
async function olderNode(): Promise<string> {
  const candidates = ['/usr/bin/node', '/usr/local/bin/node', '/bin/node'];
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const version = await run(candidate, ['-p', 'process.versions.node'], dir);
    if (version.code === 0 && Number(version.stdout.split('.')[0]) < 22) return candidate;
  }
  const prefix = path.join(dir, 'node20');
  const fetched = await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      '--prefix',
      prefix,
      `node-${process.platform}-${process.arch}@20`,
    ],
    dir,
  );
  expect(fetched.code, fetched.stderr).toBe(0);
  return path.join(
    prefix,
    'node_modules',
    `node-${process.platform}-${process.arch}`,
    'bin',
    'node',
  );
}

describe('the installed rlm binary on an unsupported Node', () => {
  it('prints one line naming the Node versions it needs and exits 1, with no stack trace', async () => {
    const node = await olderNode();
    const result = await run(
      node,
      [path.join(project, 'node_modules/.bin/rlm'), '--version'],
      project,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^rlm needs Node\.js 22 \(22\.18 or later\) or 24\+; this is Node\.js 20\.\d+\.\d+\n$/,
    );
  }, 180_000);
});

describe('@rlm/sdk from a plain ESM script', () => {
  const script = `import { readFileSync } from 'node:fs';
import { RLM } from '@rlm/sdk';
const [baseUrl, contextFile, query] = process.argv.slice(2);
const rlm = new RLM({ baseUrl, model: 'sim-large' });
const result = await rlm.completion(readFileSync(contextFile, 'utf8'), query);
console.log(JSON.stringify({ answer: result.answer, stopReason: result.stopReason }));
`;

  beforeAll(async () => {
    await writeFile(path.join(project, 'app.mjs'), script);
  });

  it('completes a request with NODE_OPTIONS=--no-node-snapshot', async () => {
    const result = await run('node', ['app.mjs', sim.baseUrl, contextFile, task.query], project, {
      NODE_OPTIONS: '--no-node-snapshot',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { answer: string; stopReason: string };
    expect(output.stopReason).toBe('final');
    expect(gradeAnswer(task, output.answer)).toBe(1);
  }, 120_000);

  it('without the flag, fails saying exactly what to add', async () => {
    const result = await run('node', ['app.mjs', sim.baseUrl, contextFile, task.query], project);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('NODE_OPTIONS=--no-node-snapshot');
    expect(result.stdout).toBe('');
  });
});

describe('@rlm/sdk from CommonJS', () => {
  const script = `const { readFileSync } = require('node:fs');
const { RLM } = require('@rlm/sdk');
const [baseUrl, contextFile, query] = process.argv.slice(2);
new RLM({ baseUrl, model: 'sim-large' })
  .completion(readFileSync(contextFile, 'utf8'), query)
  .then((result) => console.log(JSON.stringify({ answer: result.answer, stopReason: result.stopReason })));
`;

  beforeAll(async () => {
    await writeFile(path.join(project, 'app.cjs'), script);
  });

  // The packages are ES modules only; Node's require() of ES modules (every
  // supported version has it) lets CommonJS callers use them as they are.
  it('require() loads the SDK and completes a request', async () => {
    const result = await run('node', ['app.cjs', sim.baseUrl, contextFile, task.query], project, {
      NODE_OPTIONS: '--no-node-snapshot',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { answer: string; stopReason: string };
    expect(output.stopReason).toBe('final');
    expect(gradeAnswer(task, output.answer)).toBe(1);
  }, 120_000);
});

describe('a strict TypeScript consumer (nodenext, skipLibCheck false)', () => {
  const tsconfig = {
    compilerOptions: {
      target: 'es2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      types: ['node'],
    },
  };
  const good = `import { RLM } from '@rlm/sdk';
import type { CompletionOptions, RlmResult, RLMOptions } from '@rlm/sdk';
const options: RLMOptions = { baseUrl: 'http://127.0.0.1:8000/v1', model: 'qwen3-8b', maxDepth: 2, maxCostUsd: 1.5 };
const rlm = new RLM(options);
const request: CompletionOptions = { signal: AbortSignal.timeout(60_000), onEvent: (event) => console.error(event.type) };
const result: RlmResult = await rlm.completion('a long text', 'What is in it?', request);
const summary: string = \`\${result.answer} \${result.stopReason} \${result.costUsd.toFixed(4)}\`;
console.log(summary);
`;

  beforeAll(async () => {
    await writeFile(path.join(project, 'good.ts'), good);
    await writeFile(
      path.join(project, 'wrong.ts'),
      `import { RLM } from '@rlm/sdk';\nnew RLM({ maxDepth: 'two' });\n`,
    );
    await writeFile(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({ ...tsconfig, files: ['good.ts', 'wrong.ts'] }),
    );
  });

  // One compiler run (it is the slow part): the documented usage and the
  // package's own declarations must be error-free, the wrong option must not.
  it('type-checks code that uses the SDK as documented and rejects a wrong option type', async () => {
    const result = await run('node', [TSC, '-p', 'tsconfig.json'], project);
    const errors = result.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(errors, result.stdout).toHaveLength(1);
    expect(errors[0]).toMatch(/^wrong\.ts\(2,\d+\): error TS2322: .*'string'.*'number'/);
    expect(result.code).not.toBe(0);
  }, 120_000);
});
