/**
 * A minimal Prometheus registry: counters, gauges and histograms rendered in
 * the text exposition format. Enough for /metrics without a dependency.
 */
type Labels = Readonly<Record<string, string>>;

interface Series {
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly values: Map<string, number>;
  readonly buckets?: readonly number[];
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

  histogram(name: string, help: string, buckets = DEFAULT_BUCKETS_SECONDS): (labels: Labels, value: number) => void {
    const series = this.define(name, help, 'histogram', buckets);
    return (labels, value) => {
      const base = labelKey(labels);
      for (const bound of buckets) {
        if (value <= bound) bump(series, joinLabels(base, `le="${bound}"`), '_bucket');
      }
      bump(series, joinLabels(base, 'le="+Inf"'), '_bucket');
      bump(series, base, '_count');
      series.values.set(`_sum|${base}`, (series.values.get(`_sum|${base}`) ?? 0) + value);
    };
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, series] of this.series) {
      lines.push(`# HELP ${name} ${series.help}`, `# TYPE ${name} ${series.type}`);
      for (const [key, value] of series.values) {
        const [suffix, labels] = key.includes('|') ? (key.split('|', 2) as [string, string]) : ['', key];
        lines.push(`${name}${suffix}${labels === '' ? '' : `{${labels}}`} ${value}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  private define(name: string, help: string, type: Series['type'], buckets?: readonly number[]): Series {
    const existing = this.series.get(name);
    if (existing !== undefined) return existing;
    const series: Series = { help, type, values: new Map(), ...(buckets === undefined ? {} : { buckets }) };
    this.series.set(name, series);
    return series;
  }
}

function bump(series: Series, labels: string, suffix: string): void {
  const key = `${suffix}|${labels}`;
  series.values.set(key, (series.values.get(key) ?? 0) + 1);
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
