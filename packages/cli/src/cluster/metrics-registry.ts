/**
 * A minimal Prometheus registry: counters, gauges and histograms rendered in
 * the text exposition format. Enough for /metrics without a dependency.
 */
type Labels = Readonly<Record<string, string>>;

/** One label set of a histogram: a count per bucket (not cumulative), the total count and sum. */
interface HistogramCell {
  readonly perBucket: number[];
  count: number;
  sum: number;
}

interface Series {
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** Counters and gauges, by label key. */
  readonly values: Map<string, number>;
  /** Histograms, by label key. */
  readonly cells: Map<string, HistogramCell>;
  readonly buckets: readonly number[];
}

const DEFAULT_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class MetricsRegistry {
  private readonly series = new Map<string, Series>();

  counter(name: string, help: string): (labels?: Labels, amount?: number) => void {
    const series = this.define(name, help, 'counter');
    return (labels = {}, amount = 1) => {
      const key = labelKey(labels);
      series.values.set(key, (series.values.get(key) ?? 0) + amount);
    };
  }

  gauge(name: string, help: string): (labels: Labels, value: number) => void {
    const series = this.define(name, help, 'gauge');
    return (labels, value) => series.values.set(labelKey(labels), value);
  }

  /**
   * Observing costs one bucket increment: every LLM call observes several
   * histograms, so the cumulative `le` lines are built when /metrics is read,
   * not on each observation (that string building was ~4% of a worker's CPU).
   */
  histogram(name: string, help: string, buckets = DEFAULT_BUCKETS_SECONDS): (labels: Labels, value: number) => void {
    const series = this.define(name, help, 'histogram', buckets);
    return (labels, value) => {
      const key = labelKey(labels);
      let cell = series.cells.get(key);
      if (cell === undefined) {
        cell = { perBucket: new Array<number>(buckets.length).fill(0), count: 0, sum: 0 };
        series.cells.set(key, cell);
      }
      const index = buckets.findIndex((bound) => value <= bound);
      if (index >= 0) cell.perBucket[index] = (cell.perBucket[index] ?? 0) + 1;
      cell.count += 1;
      cell.sum += value;
    };
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, series] of this.series) {
      lines.push(`# HELP ${name} ${series.help}`, `# TYPE ${name} ${series.type}`);
      for (const [key, value] of series.values) lines.push(`${name}${braced(key)} ${value}`);
      for (const [key, cell] of series.cells) {
        let cumulative = 0;
        series.buckets.forEach((bound, index) => {
          cumulative += cell.perBucket[index] ?? 0;
          lines.push(`${name}_bucket{${joinLabels(key, `le="${bound}"`)}} ${cumulative}`);
        });
        lines.push(`${name}_bucket{${joinLabels(key, 'le="+Inf"')}} ${cell.count}`);
        lines.push(`${name}_sum${braced(key)} ${cell.sum}`, `${name}_count${braced(key)} ${cell.count}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  private define(name: string, help: string, type: Series['type'], buckets: readonly number[] = []): Series {
    const existing = this.series.get(name);
    if (existing !== undefined) return existing;
    const series: Series = { help, type, values: new Map(), cells: new Map(), buckets };
    this.series.set(name, series);
    return series;
  }
}

function braced(labels: string): string {
  return labels === '' ? '' : `{${labels}}`;
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}="${String(labels[key]).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)
    .join(',');
}

function joinLabels(base: string, extra: string): string {
  return base === '' ? extra : `${base},${extra}`;
}
