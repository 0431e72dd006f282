/**
 * The evaluation report: Markdown tables plus SVG charts, built from the
 * results alone (so a results.json can be re-reported). Every figure carries
 * its sample size; the caveats about sampling error and the simulator are
 * part of the text, not a footnote someone may drop.
 */
import { distribution, mean, pairedDifference, standardError } from '../stats.ts';
import type { EvalResults, InstanceResult, MethodName } from '../types.ts';
import { lineChart, type ChartSeries } from './svg-line-chart.ts';

export interface EvalReport {
  readonly markdown: string;
  /** File name -> SVG text, referenced from the Markdown by relative path. */
  readonly charts: Readonly<Record<string, string>>;
}

const SIMULATOR_CAVEAT =
  '**This run used the built-in simulator.** It measures the machinery (code execution, fan-out, ' +
  'budgets, caching, truncation, error propagation), not model quality: the simulator answers ' +
  'from the text it is given with fixed plans and configured error rates. Quality figures mean ' +
  'something only when the same command runs against a real endpoint.';

export function formatTokens(tokens: number): string {
  if (tokens >= 2 ** 20 && tokens % 2 ** 20 === 0) return `${tokens / 2 ** 20}M`;
  if (tokens >= 1024 && tokens % 1024 === 0) return `${tokens / 1024}k`;
  return tokens.toLocaleString('en-US');
}

const score = (value: number): string => (Number.isFinite(value) ? (value * 100).toFixed(1) : '-');
const usd = (value: number): string => (Number.isFinite(value) ? `$${value.toFixed(4)}` : '-');
const seconds = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '-');

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name) ?? [];
    group.push(item);
    groups.set(name, group);
  }
  return groups;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, index) => (index === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

function scoreCell(results: readonly InstanceResult[]): string {
  if (results.length === 0) return '-';
  const scores = results.map((result) => result.score);
  return `${score(mean(scores))} ± ${score(standardError(scores))} (n=${scores.length})`;
}

export function buildReport(run: EvalResults): EvalReport {
  const { info, results } = run;
  const methods = [...new Set(results.map((result) => result.method))] as MethodName[];
  const tasks = [...new Set(results.map((result) => result.task))];
  const lengths = [...new Set(results.map((result) => result.lengthTokens))].sort((a, b) => a - b);
  const charts: Record<string, string> = {};
  const lines: string[] = ['# Evaluation report', ''];

  if (info.simulator) lines.push(`> ${SIMULATOR_CAVEAT}`, '');
  lines.push(
    '> **Sampling error.** Each score is a mean over few instances; its standard error is shown as ± ' +
      '(a score over 50 instances carries about ±7 points). Differences smaller than about two ' +
      'standard errors are not evidence of anything.',
    '',
    '## Run',
    '',
    table(
      ['setting', 'value'],
      [
        ['command', `\`${info.command}\``],
        ['started', info.startedAt],
        ['endpoint', info.simulator ? `built-in simulator (${info.endpoint})` : info.endpoint],
        ['models', `root ${info.model}, sub-calls ${info.subModel}`],
        ['direct baseline window', `${info.contextWindowTokens.toLocaleString('en-US')} tokens`],
        ['seed', String(info.seed)],
        [
          'machine',
          `${info.machine.cpus} CPUs, ${info.machine.platform}, Node ${info.machine.node}`,
        ],
        [
          'instances x methods',
          `${results.length / Math.max(1, methods.length)} x ${methods.length}`,
        ],
        ...(info.simulatorOptions
          ? [['simulator options', `\`${JSON.stringify(info.simulatorOptions)}\``]]
          : []),
      ],
    ),
    '',
    '## Score versus context length',
    '',
    'Mean score in percent ± its standard error, per task and context length (tokens, o200k). ',
    'Scores: needle and exact answers 0/1, counts 0.75^|error|, pairs F1.',
    '',
  );

  const byTask = groupBy(results, (result) => result.task);
  const rows: string[][] = [];
  for (const task of tasks) {
    const taskResults = byTask.get(task) ?? [];
    for (const length of lengths) {
      const atLength = taskResults.filter((result) => result.lengthTokens === length);
      if (atLength.length === 0) continue;
      rows.push([
        `${task} ${formatTokens(length)}`,
        ...methods.map((method) =>
          scoreCell(atLength.filter((result) => result.method === method)),
        ),
      ]);
    }
  }
  rows.push([
    '**all**',
    ...methods.map((method) => scoreCell(results.filter((result) => result.method === method))),
  ]);
  lines.push(table(['task, length', ...methods], rows), '');

  const seriesOf = (
    subset: readonly InstanceResult[],
    value: (group: readonly InstanceResult[]) => number,
  ): ChartSeries[] =>
    methods.map((method) => ({
      name: method,
      points: lengths.map((length) => {
        const group = subset.filter(
          (result) => result.method === method && result.lengthTokens === length,
        );
        return [length, group.length === 0 ? Number.NaN : value(group)] as const;
      }),
    }));
  const meanScore = (group: readonly InstanceResult[]): number =>
    mean(group.map((result) => result.score));
  charts['score-vs-length.svg'] = lineChart({
    title: 'Score versus context length (all tasks)',
    xLabel: 'context length (tokens, log scale)',
    yLabel: 'mean score',
    series: seriesOf(results, meanScore),
    yRange: [0, 1],
    formatX: formatTokens,
  });
  lines.push('![score versus context length](score-vs-length.svg)', '');
  for (const task of tasks) {
    const name = `score-vs-length-${task.replace(/[^\w-]/g, '_')}.svg`;
    charts[name] = lineChart({
      title: `Score versus context length: ${task}`,
      xLabel: 'context length (tokens, log scale)',
      yLabel: 'mean score',
      series: seriesOf(byTask.get(task) ?? [], meanScore),
      yRange: [0, 1],
      formatX: formatTokens,
    });
    lines.push(`![${task}](${name})`);
  }
  lines.push('');

  lines.push(...pairedSection(results, methods, tasks));
  lines.push(...costSection(results, methods, lengths, charts, seriesOf));
  lines.push(...subcallSection(results, methods, lengths));
  return { markdown: `${lines.join('\n')}\n`, charts };
}

function pairedSection(
  results: readonly InstanceResult[],
  methods: readonly MethodName[],
  tasks: readonly string[],
): string[] {
  if (methods.length < 2) return [];
  const scoresOf = (method: MethodName, task?: string): Map<string, number> =>
    new Map(
      results
        .filter(
          (result) => result.method === method && (task === undefined || result.task === task),
        )
        .map((result) => [result.id, result.score]),
    );
  const rows: string[][] = [];
  for (let first = 0; first < methods.length; first += 1) {
    for (let second = first + 1; second < methods.length; second += 1) {
      const a = methods[first] as MethodName;
      const b = methods[second] as MethodName;
      for (const task of [...tasks, undefined]) {
        const difference = pairedDifference(scoresOf(a, task), scoresOf(b, task));
        if (difference.n === 0) continue;
        rows.push([
          `${a} - ${b}`,
          task ?? '**all**',
          `${difference.mean >= 0 ? '+' : ''}${score(difference.mean)}`,
          score(difference.standardError),
          String(difference.n),
        ]);
      }
    }
  }
  return [
    '## Paired differences',
    '',
    'Score difference in points on the same instances (mean ± standard error of the per-instance differences).',
    '',
    table(['methods', 'task', 'difference', '± SE', 'n'], rows),
    '',
  ];
}

function costSection(
  results: readonly InstanceResult[],
  methods: readonly MethodName[],
  lengths: readonly number[],
  charts: Record<string, string>,
  seriesOf: (
    subset: readonly InstanceResult[],
    value: (group: readonly InstanceResult[]) => number,
  ) => ChartSeries[],
): string[] {
  const rows: string[][] = [];
  for (const method of methods) {
    const mine = results.filter((result) => result.method === method);
    const cost = distribution(mine.map((result) => result.costUsd));
    const wall = distribution(mine.map((result) => result.wallMs));
    const tokens = distribution(mine.map((result) => result.inputTokens + result.outputTokens));
    rows.push([
      method,
      String(cost.n),
      `${usd(cost.median)} / ${usd(cost.p90)} / ${usd(cost.p99)} / ${usd(cost.max)}`,
      `${seconds(wall.median)} / ${seconds(wall.p90)} / ${seconds(wall.p99)} / ${seconds(wall.max)}`,
      `${Math.round(tokens.median).toLocaleString('en-US')} / ${Math.round(tokens.max).toLocaleString('en-US')}`,
    ]);
  }
  const median =
    (pick: (result: InstanceResult) => number) =>
    (group: readonly InstanceResult[]): number =>
      distribution(group.map(pick)).median;
  charts['cost-vs-length.svg'] = lineChart({
    title: 'Median cost per instance',
    xLabel: 'context length (tokens, log scale)',
    yLabel: 'USD (log scale)',
    series: seriesOf(
      results,
      median((result) => result.costUsd),
    ),
    logY: true,
    formatX: formatTokens,
  });
  charts['latency-vs-length.svg'] = lineChart({
    title: 'Median wall time per instance',
    xLabel: 'context length (tokens, log scale)',
    yLabel: 'seconds',
    series: seriesOf(
      results,
      median((result) => result.wallMs / 1000),
    ),
    formatX: formatTokens,
  });
  const perLength: string[][] = [];
  for (const length of lengths) {
    perLength.push([
      formatTokens(length),
      ...methods.map((method) => {
        const group = results.filter(
          (result) => result.method === method && result.lengthTokens === length,
        );
        if (group.length === 0) return '-';
        return `${usd(distribution(group.map((result) => result.costUsd)).median)}, ${seconds(distribution(group.map((result) => result.wallMs)).median)}`;
      }),
    ]);
  }
  return [
    '## Cost and latency',
    '',
    "Per instance: median / p90 / p99 / max (prices from the engine's price table; tokens are input + output).",
    '',
    table(['method', 'n', 'cost', 'wall time', 'tokens median / max'], rows),
    '',
    'Median cost and wall time per context length:',
    '',
    table(['length', ...methods], perLength),
    '',
    '![median cost](cost-vs-length.svg)',
    '![median wall time](latency-vs-length.svg)',
    '',
  ];
}

function subcallSection(
  results: readonly InstanceResult[],
  methods: readonly MethodName[],
  lengths: readonly number[],
): string[] {
  const rows: string[][] = [];
  for (const length of lengths) {
    rows.push([
      formatTokens(length),
      ...methods.map((method) => {
        const group = results.filter(
          (result) => result.method === method && result.lengthTokens === length,
        );
        if (group.length === 0) return '-';
        const subcalls = distribution(group.map((result) => result.subcalls));
        const depth = Math.max(...group.map((result) => result.depth));
        return `${subcalls.median} / ${subcalls.max} (depth ${depth})`;
      }),
    ]);
  }
  const stops: string[][] = methods.map((method) => {
    const counts = new Map<string, number>();
    for (const result of results.filter((item) => item.method === method)) {
      counts.set(result.stopReason, (counts.get(result.stopReason) ?? 0) + 1);
    }
    return [method, [...counts].map(([reason, count]) => `${reason} ${count}`).join(', ')];
  });
  return [
    '## Sub-calls and stop reasons',
    '',
    'Sub-calls per instance, median / max, and the deepest level reached (0: root only, 1: plain sub-calls, 2+: child RLMs):',
    '',
    table(['length', ...methods], rows),
    '',
    table(['method', 'stop reasons'], stops),
    '',
  ];
}
