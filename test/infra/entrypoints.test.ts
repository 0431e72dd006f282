/**
 * The compose file parses into a coherent laptop cluster, and every command
 * the image is started with (Dockerfile CMD, Kubernetes args, compose
 * command) is one the CLI has, read from the CLI's own command table.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMAND_NAMES } from '@rlm/cli';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderKustomization, rlmArgLists, rlmCommands } from './manifest-check.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
interface ComposeService {
  image?: string;
  build?: unknown;
  command?: unknown;
  depends_on?: Record<string, unknown>;
  environment?: Record<string, unknown>;
}

const compose = parse(readFileSync(path.join(ROOT, 'infra/compose/compose.yaml'), 'utf8'), {
  merge: true,
}) as {
  services: Record<string, ComposeService>;
};
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

function composeArgLists(): string[][] {
  return Object.values(compose.services)
    .filter((service) => service.build !== undefined)
    .map((service) =>
      Array.isArray(service.command) ? service.command.map(String) : ['(no exec-form command)'],
    );
}

function composeCommands(): string[] {
  return composeArgLists().map((args) => args[0] ?? '(no command)');
}

function dockerfileJson(keyword: string): string[] {
  const line =
    dockerfile.split('\n').findLast((candidate) => candidate.startsWith(`${keyword} `)) ?? '';
  return JSON.parse(line.slice(keyword.length + 1)) as string[];
}

describe('infra/compose/compose.yaml', () => {
  it('has Redis, Jaeger, the simulator, an orchestrator, two workers and rlm serve', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'jaeger',
      'orchestrator',
      'redis',
      'serve',
      'sim',
      'worker',
    ]);
    expect(compose.services['worker']).toMatchObject({ deploy: { replicas: 2 } });
    expect(compose.services['redis']?.command).toEqual(
      expect.arrayContaining(['--maxmemory-policy', 'noeviction', '--appendonly', 'yes']),
    );
    expect(compose.services['jaeger']?.image).toMatch(/^jaegertracing\/jaeger:2\.\d+\.\d+$/);
    expect(compose.services['worker']?.environment).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
    });
  });

  it('depends only on services it defines, with tagged images', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const dependency of Object.keys(service.depends_on ?? {}))
        expect(compose.services, `${name} depends on ${dependency}`).toHaveProperty(dependency);
      expect(service.image, name).toMatch(/^[\w./-]+:[\w][\w.-]*$/);
      expect(service.image, name).not.toMatch(/:latest$/);
    }
  });
});

describe('image entrypoints', () => {
  it('start the CLI with --no-node-snapshot under tini', () => {
    const entrypoint = dockerfileJson('ENTRYPOINT');
    expect(entrypoint.slice(0, 4)).toEqual(['/usr/bin/tini', '--', 'node', '--no-node-snapshot']);
    // The image runs the packed @rlm/cli installed under /app: its built file
    // must come from a source module of packages/cli.
    const built = /^node_modules\/@rlm\/cli\/dist\/(.+)\.js$/.exec(entrypoint[4] ?? '');
    expect(built, `entrypoint script ${entrypoint[4]}`).not.toBeNull();
    expect(existsSync(path.join(ROOT, 'packages/cli/src', `${built?.[1]}.ts`))).toBe(true);
  });

  it('run what users install: the tarballs of the pack script, npm-installed, and nothing else', () => {
    const packed = /^RUN node scripts\/pack\/pack\.ts --out (\S+)$/m.exec(dockerfile);
    expect(packed, 'a stage runs scripts/pack/pack.ts --out DIR').not.toBeNull();
    const tarballs = `${packed?.[1]}/*.tgz`;
    expect(dockerfile).toMatch(
      new RegExp(`npm install [^\\n]*${tarballs.replace(/[.*]/g, '\\$&')}$`, 'm'),
    );
    // The runtime stage copies only the installed tree of the stage that ran npm install.
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const copies = runtime.split('\n').filter((line) => line.startsWith('COPY '));
    expect(copies).toEqual(['COPY --from=deps /app /app']);
  });

  it('use only commands the CLI has', () => {
    const overlays = readdirSync(path.join(ROOT, 'infra/k8s/overlays'));
    const used = new Set([
      ...dockerfileJson('CMD').slice(0, 1),
      ...composeCommands(),
      ...overlays.flatMap((overlay) =>
        rlmCommands(renderKustomization(path.join(ROOT, 'infra/k8s/overlays', overlay))),
      ),
    ]);
    const unknown = [...used].filter((command) => !COMMAND_NAMES.includes(command));
    expect(unknown, `commands not in the CLI's COMMANDS table: ${unknown.join(', ')}`).toEqual([]);
    expect([...used].sort()).toEqual(['orchestrator', 'serve', 'sim', 'worker']);
  });

  it('bind network servers (serve, sim) to all interfaces, not their loopback default', () => {
    const overlays = readdirSync(path.join(ROOT, 'infra/k8s/overlays'));
    const argLists = [
      ...composeArgLists(),
      ...overlays.flatMap((overlay) =>
        rlmArgLists(renderKustomization(path.join(ROOT, 'infra/k8s/overlays', overlay))),
      ),
    ].filter((args) => args[0] === 'serve' || args[0] === 'sim');
    expect(argLists.length).toBeGreaterThanOrEqual(4);
    for (const args of argLists) expect(args.join(' ')).toContain('--host 0.0.0.0');
  });
});
