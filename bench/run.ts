/**
 * `pnpm bench`: runs the entries of bench/entries.ts and writes
 * bench/results/latest.json and latest.md with the machine, the commit and
 * the command. Figures are measurements of this machine; nothing asserts them.
 * A subset (`--only`) writes only-<names>.json / .md instead, so a quick run
 * never replaces the checked-in full results.
 *
 *   pnpm bench [--only name,name] [--merge] [--out DIR]
 *     --merge keeps the other entries of the existing results file (each marked with its own run)
 *   pnpm bench --compare A.json B.json     ratios B / A of every shared figure
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_ENTRIES } from './entries.ts';
import { machineInfo } from './machine-info.ts';
import { renderBenchMarkdown, renderComparison, resultFileBase, type BenchReport } from './report.ts';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { only: { type: 'string' }, out: { type: 'string' }, compare: { type: 'boolean' }, merge: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.compare === true) {
    const [first, second] = positionals;
    if (first === undefined || second === undefined || positionals.length !== 2) {
      process.stderr.write('bench: --compare needs two result files: --compare A.json B.json\n');
      return 2;
    }
    const read = async (file: string): Promise<BenchReport> =>
      JSON.parse(await readFile(file, 'utf8')) as BenchReport;
    process.stdout.write(renderComparison(await read(first), await read(second), [first, second]));
    return 0;
  }
  const only = values.only?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !BENCH_ENTRIES.some((entry) => entry.name === name)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown entries ${unknown.join(', ')} (known: ${BENCH_ENTRIES.map((entry) => entry.name).join(', ')})\n`,
    );
    return 2;
  }
  const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
  const results: Record<string, unknown> = {};
  const titles: Record<string, string> = {};
  let failed = false;
  for (const entry of BENCH_ENTRIES) {
    if (only !== undefined && !only.includes(entry.name)) continue;
    log(`${entry.name}: ${entry.title}`);
    titles[entry.name] = entry.title;
    try {
      results[entry.name] = await entry.run();
      log(`  ${JSON.stringify(results[entry.name])}`);
    } catch (error) {
      // One broken entry must not lose the others' figures.
      failed = true;
      results[entry.name] = { error: error instanceof Error ? error.message : String(error) };
      log(
        `  failed: ${String(results[entry.name] && (results[entry.name] as { error: string }).error)}`,
      );
    }
  }
  const outDir = path.resolve(values.out ?? path.join(import.meta.dirname, 'results'));
  const previous = values.merge === true ? await readPrevious(path.join(outDir, 'latest.json')) : undefined;
  const report: BenchReport = {
    command: ['pnpm bench', ...process.argv.slice(2)].join(' '),
    at: new Date().toISOString(),
    machine: machineInfo(),
    results: { ...previous?.results, ...results },
    titles: { ...previous?.titles, ...titles },
    ...(previous === undefined ? {} : { earlier: earlierRuns(previous, Object.keys(results)) }),
  };
  await mkdir(outDir, { recursive: true });
  // --merge folds a subset into the full results on purpose; a plain subset never replaces them.
  const base = values.merge === true ? 'latest' : resultFileBase(only);
  await writeFile(path.join(outDir, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(path.join(outDir, `${base}.md`), renderBenchMarkdown(report));
  log(`written to ${path.relative(process.cwd(), path.join(outDir, `${base}.json`))} and ${base}.md`);
  return failed ? 1 : 0;
}

/** The results file to merge into; none yet is an empty one. */
async function readPrevious(file: string): Promise<BenchReport | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as BenchReport;
  } catch {
    return undefined;
  }
}

/** Where each kept entry ran: its own record from an earlier merge, else the earlier file's run. */
function earlierRuns(previous: BenchReport, rerun: readonly string[]): NonNullable<BenchReport['earlier']> {
  const kept: Record<string, NonNullable<BenchReport['earlier']>[string]> = {};
  for (const name of Object.keys(previous.results)) {
    if (rerun.includes(name)) continue;
    kept[name] = previous.earlier?.[name] ?? { at: previous.at, commit: previous.machine.commit, loadAverage: previous.machine.loadAverage };
  }
  return kept;
}

process.exitCode = await main();
