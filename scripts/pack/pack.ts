/**
 * `./dev pack`: builds every package a user needs and writes installable
 * tarballs (`npm install ./dist/packages/*.tgz`; earlier tarballs of these
 * packages in that directory are removed first). Development keeps running the
 * TypeScript sources unbuilt; this is the only build, and it happens in a
 * temporary directory, so the repository is left as it was.
 *
 *   node scripts/pack/pack.ts [--out DIR]    default DIR: dist/packages
 *
 * Layout and reasons: docs/decisions/2026-11-29-packaging-layout.md.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { SUPPORTED_NODE_RANGE } from '@rlm/shared';
import { buildPackages } from './build-packages.ts';
import type { StagedPackage } from './build-packages.ts';
import { packedManifest } from './packed-manifest.ts';
import { staleTarballs } from './stale-tarballs.ts';
import type { WorkspaceManifest } from './packed-manifest.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The CLI's executable: the launcher that starts Node with the flags the engine needs. */
const BINARIES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '@rlm/cli': { rlm: './dist/rlm-bin.js' },
};

interface WorkspacePackage extends StagedPackage {
  readonly manifest: WorkspaceManifest;
}

async function readWorkspacePackages(): Promise<WorkspacePackage[]> {
  const dirs = (await readdir(path.join(ROOT, 'packages'), { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    dirs.map(async (dir) => {
      const manifest = JSON.parse(
        await readFile(path.join(ROOT, 'packages', dir, 'package.json'), 'utf8'),
      ) as WorkspaceManifest;
      return { dir, name: manifest.name, manifest };
    }),
  );
}

export async function pack(outDir: string): Promise<string[]> {
  const packages = await readWorkspacePackages();
  const workspaceVersions = new Map(packages.map(({ name, manifest }) => [name, manifest.version]));
  const stage = await mkdtemp(path.join(os.tmpdir(), 'rlm-pack-'));
  try {
    // The manifests go first: tsc reads `"type": "module"` from them.
    for (const { dir, name, manifest } of packages) {
      const bin = BINARIES[name];
      const packed = packedManifest(manifest, {
        workspaceVersions,
        nodeRange: SUPPORTED_NODE_RANGE,
        ...(bin === undefined ? {} : { bin }),
      });
      await mkdir(path.join(stage, dir));
      await writeFile(
        path.join(stage, dir, 'package.json'),
        `${JSON.stringify(packed, null, 2)}\n`,
      );
      await copyReadme(dir, path.join(stage, dir));
    }
    await buildPackages(ROOT, stage, packages);
    await mkdir(outDir, { recursive: true });
    const stale = staleTarballs(
      await readdir(outDir),
      packages.map(({ name }) => name),
    );
    for (const file of stale) await rm(path.join(outDir, file));
    const tarballs: string[] = [];
    for (const { dir } of packages)
      tarballs.push(await packDirectory(path.join(stage, dir), outDir));
    return tarballs;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

async function copyReadme(dir: string, packageDir: string): Promise<void> {
  try {
    await copyFile(
      path.join(ROOT, 'packages', dir, 'README.md'),
      path.join(packageDir, 'README.md'),
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** `npm pack` into `outDir`; returns the tarball's path. */
async function packDirectory(packageDir: string, outDir: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    'npm',
    ['pack', '--json', '--pack-destination', outDir],
    { cwd: packageDir, env: { ...process.env, npm_config_loglevel: 'error' } },
  );
  const [result] = JSON.parse(stdout) as Array<{ filename: string }>;
  if (result === undefined) throw new Error(`npm pack wrote nothing for ${packageDir}`);
  return path.join(outDir, result.filename);
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const outDir = path.resolve(values.out ?? path.join(ROOT, 'dist/packages'));
  try {
    const tarballs = await pack(outDir);
    for (const tarball of tarballs)
      process.stdout.write(`${path.relative(process.cwd(), tarball)}\n`);
  } catch (error) {
    process.stderr.write(`pack: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
