/**
 * Builds the workspace packages into a staging directory outside the
 * repository (each package's folder already holds its packed package.json),
 * laid out as they are published:
 *
 *   <stage>/<dir>/src/**.ts       the sources (tests left out)
 *   <stage>/<dir>/dist/**.js      ESM, with .js.map, .d.ts and .d.ts.map, and
 *                                 the files tsc does not emit (the Python REPL's
 *                                 rlm_runtime.py), which the code reads at run time
 *
 * One tsc program compiles every package at once (one type check instead of
 * nine), then each package's output moves next to its sources and the maps are
 * re-pointed. Sibling imports (`@rlm/shared`) resolve through `paths` to the
 * staged sources and stay bare specifiers in the output; third-party types
 * resolve through a link to the package's own node_modules.
 */
import { execFile } from 'node:child_process';
import {
  copyFile,
  cp,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

export interface StagedPackage {
  /** Folder name under packages/ and under the stage. */
  readonly dir: string;
  readonly name: string;
}

const OUT = '.out';

export async function buildPackages(
  root: string,
  stage: string,
  packages: readonly StagedPackage[],
): Promise<void> {
  for (const { dir } of packages) {
    await cp(path.join(root, 'packages', dir, 'src'), path.join(stage, dir, 'src'), {
      recursive: true,
      filter: (source) => !source.endsWith('.test.ts'),
    });
    await symlink(
      path.join(root, 'packages', dir, 'node_modules'),
      path.join(stage, dir, 'node_modules'),
      'dir',
    );
  }
  await writeFile(
    path.join(stage, 'tsconfig.json'),
    JSON.stringify(buildConfig(root, packages), null, 2),
  );
  const tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', path.join(stage, 'tsconfig.json')], {
      cwd: stage,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? '';
    const lines = output.trim().split('\n');
    const shown = lines.slice(0, 30).join('\n');
    const more = lines.length > 30 ? `\n... and ${lines.length - 30} more lines` : '';
    throw new Error(`tsc failed while building the packages:\n${shown}${more}`, { cause: error });
  }
  for (const { dir } of packages) {
    const from = path.join(stage, OUT, dir, 'src');
    const to = path.join(stage, dir, 'dist');
    await rename(from, to);
    await repointMaps(to, from);
    await copyAssets(path.join(stage, dir, 'src'), to);
    await rm(path.join(stage, dir, 'node_modules'));
  }
  await rm(path.join(stage, OUT), { recursive: true, force: true });
  await rm(path.join(stage, 'tsconfig.json'));
}

/** The repository's compiler settings, switched from type checking to emitting. */
function buildConfig(root: string, packages: readonly StagedPackage[]): object {
  return {
    extends: path.join(root, 'tsconfig.base.json'),
    compilerOptions: {
      noEmit: false,
      rootDir: '.',
      outDir: OUT,
      declaration: true,
      declarationMap: true,
      sourceMap: true,
      // Sources import `./x.ts` (run unbuilt on Node 24); the output imports `./x.js`.
      rewriteRelativeImportExtensions: true,
      typeRoots: [path.join(root, 'node_modules/@types')],
      paths: Object.fromEntries(packages.map(({ dir, name }) => [name, [`./${dir}/src/index.ts`]])),
    },
    include: packages.map(({ dir }) => `${dir}/src/**/*.ts`),
  };
}

/**
 * Every source file that is not TypeScript (data the code reads next to itself,
 * such as child/rlm_runtime.py) goes to the same place under dist/.
 */
async function copyAssets(sources: string, dist: string): Promise<void> {
  for (const entry of await readdir(sources, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
    const target = path.join(dist, path.relative(sources, entry.parentPath), entry.name);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(path.join(entry.parentPath, entry.name), target);
  }
}

/**
 * tsc wrote each map's `sources` relative to where the map was emitted; the
 * file has moved, so every source path is re-resolved from the new place.
 */
async function repointMaps(directory: string, emittedAt: string): Promise<void> {
  for (const entry of await readdir(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.map')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const oldDirectory = path.join(emittedAt, path.relative(directory, entry.parentPath));
    const map = JSON.parse(await readFile(file, 'utf8')) as { sources: string[] };
    map.sources = map.sources.map((source) =>
      path.relative(entry.parentPath, path.resolve(oldDirectory, source)).split(path.sep).join('/'),
    );
    await writeFile(file, JSON.stringify(map));
  }
}
