/**
 * A hand-written SVG line chart (no plotting dependency): one line per series,
 * a log2 x axis for context lengths, a linear or log10 y axis, a legend.
 */

export interface ChartSeries {
  readonly name: string;
  /** [x, y] points; non-finite y values are skipped. */
  readonly points: readonly (readonly [number, number])[];
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** Fixed y range (e.g. 0..1 for scores); default: from the data. */
  readonly yRange?: readonly [number, number];
  readonly logY?: boolean;
  readonly formatX?: (value: number) => string;
  readonly formatY?: (value: number) => string;
}

const WIDTH = 640;
const HEIGHT = 380;
const MARGIN = { left: 70, right: 150, top: 40, bottom: 50 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fixed = (value: number): string => value.toFixed(1);

export function lineChart(options: LineChartOptions): string {
  const points = options.series.flatMap((series) =>
    series.points.filter(
      ([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!options.logY || y > 0),
    ),
  );
  const xs = points.map(([x]) => Math.log2(Math.max(x, 1)));
  const yTransform = (y: number): number => (options.logY ? Math.log10(y) : y);
  const ys = points.map(([, y]) => yTransform(y));
  const [xMin, xMax] = span(xs, [0, 1]);
  const [yMin, yMax] = options.yRange
    ? [yTransform(options.yRange[0]), yTransform(options.yRange[1])]
    : span(ys, [0, 1]);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const toX = (x: number): number =>
    MARGIN.left + ((Math.log2(Math.max(x, 1)) - xMin) / (xMax - xMin || 1)) * plotWidth;
  const toY = (y: number): number =>
    MARGIN.top + plotHeight - ((yTransform(y) - yMin) / (yMax - yMin || 1)) * plotHeight;
  const formatX = options.formatX ?? String;
  const formatY = options.formatY ?? ((value: number) => String(Number(value.toPrecision(3))));

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2 - MARGIN.right / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + plotHeight}" x2="${MARGIN.left + plotWidth}" y2="${MARGIN.top + plotHeight}" stroke="black"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotHeight}" stroke="black"/>`,
  ];
  const xTicks = [...new Set(points.map(([x]) => x))].sort((a, b) => a - b);
  for (const tick of xTicks) {
    const x = fixed(toX(tick));
    parts.push(
      `<line x1="${x}" y1="${MARGIN.top + plotHeight}" x2="${x}" y2="${MARGIN.top + plotHeight + 5}" stroke="black"/>`,
      `<text x="${x}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle">${escapeXml(formatX(tick))}</text>`,
    );
  }
  for (let index = 0; index <= 4; index += 1) {
    const transformed = yMin + ((yMax - yMin) * index) / 4;
    const value = options.logY ? 10 ** transformed : transformed;
    const y = fixed(toY(value));
    parts.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotWidth}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatY(value))}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text x="16" y="${MARGIN.top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 16 ${MARGIN.top + plotHeight / 2})">${escapeXml(options.yLabel)}</text>`,
  );
  options.series.forEach((series, index) => {
    const colour = COLOURS[index % COLOURS.length] as string;
    const drawn = series.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!options.logY || y > 0))
      .map(([x, y]) => [toX(x), toY(y)] as const);
    if (drawn.length > 1) {
      const path = drawn.map(([x, y]) => `${fixed(x)},${fixed(y)}`).join(' ');
      parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    }
    for (const [x, y] of drawn) {
      parts.push(`<circle cx="${fixed(x)}" cy="${fixed(y)}" r="3.5" fill="${colour}"/>`);
    }
    const legendY = MARGIN.top + 10 + index * 20;
    const legendX = WIDTH - MARGIN.right + 15;
    parts.push(
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 20}" y2="${legendY}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${legendX + 26}" y="${legendY}" dominant-baseline="middle">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function span(values: readonly number[], fallback: readonly [number, number]): [number, number] {
  if (values.length === 0) return [fallback[0], fallback[1]];
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? [low - 0.5, high + 0.5] : [low, high];
}
