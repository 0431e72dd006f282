/**
 * The bench results file, its Markdown rendering, and the comparison of two
 * files. Figures are compared by their path in the JSON (`fanOut.ratio`), so
 * an entry can grow new figures without breaking older files.
 */
import type { MachineInfo } from './machine-info.ts';

export interface BenchReport {
  readonly command: string;
  readonly at: string;
  readonly machine: MachineInfo;
  /** Entry name -> its figures; entries that failed hold `{error}`. */
  readonly results: Readonly<Record<string, unknown>>;
  readonly titles: Readonly<Record<string, string>>;
  /** Entries kept from an earlier run by `--merge`: where and when each of those ran. */
  readonly earlier?: Readonly<Record<string, { readonly at: string; readonly commit: string; readonly loadAverage?: readonly number[] }>>;
}

/** Every numeric leaf of a value, by dotted path (array items by index). */
export function numericFigures(value: unknown, prefix = ''): Map<string, number> {
  const figures = new Map<string, number>();
  if (typeof value === 'number' && Number.isFinite(value)) figures.set(prefix, value);
  else if (value !== null && typeof value === 'object') {
    for (const [key, member] of Object.entries(value)) {
      for (const [path, number] of numericFigures(
        member,
        prefix === '' ? key : `${prefix}.${key}`,
      )) {
        figures.set(path, number);
      }
    }
  }
  return figures;
}

export function renderBenchMarkdown(report: BenchReport): string {
  const { machine } = report;
  const lines = [
    '# Benchmark report',
    '',
    `- command: \`${report.command}\``,
    `- at: ${report.at}`,
    `- commit: ${machine.commit}`,
    `- machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}`,
    `- load average at start (1, 5, 15 min): ${machine.loadAverage?.join(', ') ?? 'not recorded'}`,
    '',
    'Timings are of this machine, shared with whatever else ran on it; compare two runs with',
    '`pnpm bench --compare A.json B.json`.',
    '',
  ];
  for (const [name, figures] of Object.entries(report.results)) {
    lines.push(`## ${name}`, '', report.titles[name] ?? '', '');
    const earlier = report.earlier?.[name];
    if (earlier !== undefined)
      lines.push(`(kept from an earlier run: ${earlier.at}, commit ${earlier.commit}, load average ${earlier.loadAverage?.join(', ') ?? 'not recorded'})`, '');
    lines.push('| figure | value |', '|---|---:|');
    const error = (figures as { error?: unknown } | null)?.error;
    if (typeof error === 'string') lines.push(`| error | ${error.replaceAll('|', '/')} |`);
    for (const [path, value] of numericFigures(figures)) {
      lines.push(`| ${path} | ${value.toLocaleString('en-US', { maximumFractionDigits: 3 })} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** A table of every figure both files have: A, B and B / A. */
export function renderComparison(
  a: BenchReport,
  b: BenchReport,
  names: readonly [string, string],
): string {
  const left = numericFigures(figuresOf(a));
  const right = numericFigures(figuresOf(b));
  const lines = [
    `A: ${names[0]} (commit ${a.machine.commit}, ${a.at})`,
    `B: ${names[1]} (commit ${b.machine.commit}, ${b.at})`,
    '',
    '| figure | A | B | B / A |',
    '|---|---:|---:|---:|',
  ];
  for (const [path, valueA] of left) {
    const valueB = right.get(path);
    if (valueB === undefined) continue;
    const ratio = valueA === 0 ? '-' : (valueB / valueA).toFixed(3);
    lines.push(`| ${path} | ${valueA} | ${valueB} | ${ratio} |`);
  }
  const missing = [...right.keys()].filter((path) => !left.has(path));
  if (missing.length > 0) lines.push('', `only in B: ${missing.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** Older files (before the entry registry) kept figures at the top level beside the machine. */
function figuresOf(report: BenchReport): unknown {
  if (report.results !== undefined) return report.results;
  const {
    command: _command,
    at: _at,
    machine: _machine,
    ...figures
  } = report as unknown as Record<string, unknown>;
  return figures;
}

/**
 * The file name (without extension) a run writes: `latest` for the full set, which is checked in;
 * `only-<names>` for a subset, so `--only` never overwrites the full results.
 */
export function resultFileBase(only: readonly string[] | undefined): string {
  return only === undefined ? 'latest' : `only-${[...only].sort().join('-')}`;
}
