/**
 * A LineFigure as a Vega-Lite specification: one data table (series, x, y, low, high) and a layer
 * per kind of mark (bands, lines, error bars, filled and open markers), each filtered to the
 * series that use it, sharing one colour scale whose range is the series' own colours, so the
 * legend shows each series once in its registry colour. Log axes get explicit domains and
 * readable ticks (./logTicks.ts). The same specification renders to SVG in Node (./renderSvg.ts)
 * and interactively in the browser.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { FigureSeries, LineFigure } from './lineFigure';
import { logTicks } from './logTicks';

/** A line with at most this many points is drawn with markers: a polyline alone hides where the data are. */
export const FEW_POINTS = 12;

/** One row of a figure's data table: a point of a series and its interval (null: none). */
export interface FigureRow {
  series: string;
  x: number;
  y: number;
  low: number | null;
  high: number | null;
}

const DASH = [6, 3];
/**
 * A log axis's labels: plain numbers (0.2, 5, 100000) when every tick reads well that way, else
 * every tick in exponent form (5e-7, 1e-6, 2e-6): one axis does not mix the two.
 */
function logAxis(ticks: number[]) {
  const plain = ticks.every((v) => v >= 1e-3 && v < 1e6);
  const labelExpr = plain ? "format(datum.value, '~r')" : "replace(format(datum.value, '.0e'), '+', '')";
  return { values: ticks, labelExpr };
}
const SOLID = [1, 0];

const finite = (v: number) => Number.isFinite(v);

function hasMarkers(s: FigureSeries): boolean {
  return s.marker !== undefined || s.x.length <= FEW_POINTS;
}

function hasLine(s: FigureSeries): boolean {
  return s.marker === undefined || s.joined === true;
}

/** A Vega expression: whether a legend entry is one of these series. */
function isOneOf(series: FigureSeries[]): string {
  return `indexof(${JSON.stringify(series.map((s) => s.label))}, datum.value) >= 0`;
}

/**
 * Legend symbols per entry where one kind does not fit every series: in a figure with lines, a
 * series of markers alone shows a circle, not a stroke (Vega-Lite's merged legend has one symbol
 * type), and a series of open markers alone an open circle. None where the one kind fits, so
 * those figures' specifications stay as they were.
 */
function legendSymbols(series: FigureSeries[], anyLine: boolean): { symbols: Record<string, { value: { expr: string } }> } | undefined {
  const markersOnly = series.filter((s) => !hasLine(s));
  const openOnly = markersOnly.filter((s) => s.marker === 'open');
  // Expressions, not conditions: Vega lays the legend out from a symbol size that is one value or signal.
  const symbols: Record<string, { value: { expr: string } }> = {};
  if (anyLine && markersOnly.length > 0) {
    symbols.shape = { value: { expr: `${isOneOf(markersOnly)} ? 'circle' : 'stroke'` } };
    symbols.size = { value: { expr: `${isOneOf(markersOnly)} ? 64 : 400` } };
  }
  // Not fill: Vega-Lite drops a legend's own fill where the colour scale fills its symbols.
  if (openOnly.length > 0) symbols.fillOpacity = { value: { expr: `${isOneOf(openOnly)} ? 0 : 1` } };
  // Vega-Lite's legend encoding, not Vega's encode: the app's legend toggles add theirs to it.
  return Object.keys(symbols).length > 0 ? { symbols } : undefined;
}

/**
 * The rows of the figure: points with a non-finite coordinate are left out (JSON has no NaN),
 * and on a log axis so are points at or below zero; an interval end below a log axis's domain is
 * cut at the axis.
 */
export function figureRows(fig: LineFigure, yFloor = 0): FigureRow[] {
  const rows: FigureRow[] = [];
  for (const s of fig.series) {
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i];
      const y = s.y[i];
      if (!finite(x) || !finite(y) || (fig.logX && x <= 0) || (fig.logY && y <= 0)) continue;
      let low = s.spread && finite(s.spread.low[i]) ? s.spread.low[i] : null;
      const high = s.spread && finite(s.spread.high[i]) ? s.spread.high[i] : null;
      if (low !== null && fig.logY && low < yFloor) low = yFloor;
      rows.push({ series: s.label, x, y, low: high === null ? null : low, high: low === null ? null : high });
    }
  }
  return rows;
}

/**
 * The domain of a log y axis: the values, the interval ends within a decade below the lowest
 * value (lower ends beyond are cut at the axis, not stretching it over empty decades), padded
 * by 5 % of the span on either side.
 */
function logDomain(values: number[], lows: number[]): [number, number] {
  const positive = values.filter((v) => v > 0);
  let lo = Math.min(...positive);
  const hi = Math.max(...positive);
  for (const l of lows) if (l > 0 && l >= lo / 10) lo = Math.min(lo, l);
  const pad = 0.05 * Math.log10(hi / lo || 10);
  return [lo / 10 ** pad, hi * 10 ** pad];
}

function uniqueLabels(fig: LineFigure): string[] {
  const labels = fig.series.map((s) => s.label);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice !== undefined) throw new Error(`figure '${fig.title}': two series are labelled '${twice}'`);
  return labels;
}

/** The Vega-Lite specification of a line figure. */
export function lineFigureSpec(fig: LineFigure): TopLevelSpec {
  const labels = uniqueLabels(fig);
  let yDomain: [number, number] | undefined;
  if (fig.logY) {
    const raw = figureRows(fig, 0);
    const highs = raw.flatMap((r) => (r.high === null ? [] : [r.high]));
    const lows = raw.flatMap((r) => (r.low === null ? [] : [r.low]));
    if (raw.length > 0) yDomain = logDomain([...raw.map((r) => r.y), ...highs], lows);
  }
  const rows = figureRows(fig, yDomain?.[0] ?? 0);
  let xDomain: [number, number] | undefined;
  if (fig.logX && rows.length > 0) {
    const xs = rows.map((r) => r.x);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    const pad = 0.03 * Math.log10(hi / lo || 10);
    xDomain = [lo / 10 ** pad, hi * 10 ** pad];
  }
  const only = (pick: (s: FigureSeries) => boolean) => ({ filter: { field: 'series', oneOf: fig.series.filter(pick).map((s) => s.label) } });
  // One legend: colour and line style both encode the series, with the same legend properties,
  // so Vega-Lite merges them and a dashed series shows a dashed stroke in its colour. Figures of
  // markers alone show them as circles.
  const anyLine = fig.series.some(hasLine);
  const legend = {
    orient: 'bottom' as const,
    direction: 'horizontal' as const,
    columns: Math.min(labels.length, 3),
    labelLimit: 320,
    // Full strength: merged with the bands' layer the symbols would take their 20 % opacity.
    symbolOpacity: 1,
    symbolType: anyLine ? 'stroke' : 'circle',
    symbolStrokeWidth: 2,
    symbolSize: anyLine ? 400 : 64,
  };
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    sort: labels,
    scale: { domain: labels, range: fig.series.map((s) => s.color) },
    legend,
  };
  const strokeDash = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    sort: labels,
    // A series without a line is not dashed anywhere, so neither is its legend circle.
    scale: { domain: labels, range: fig.series.map((s) => (s.dashed && hasLine(s) ? DASH : SOLID)) },
    legend,
  };
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: fig.xLabel,
    scale: fig.logX ? { type: 'log' as const, domain: xDomain, nice: false } : { zero: false, nice: false, ...(fig.xDomain ? { domain: fig.xDomain } : {}) },
    axis: fig.logX && xDomain ? { ...logAxis(logTicks(...xDomain)), grid: true } : { grid: true },
  };
  const yScale = fig.logY ? { type: 'log' as const, domain: yDomain, nice: false, clamp: true } : {};
  const yAxis = fig.logY && yDomain ? logAxis(logTicks(...yDomain)) : {};
  const y = { field: 'y', type: 'quantitative' as const, title: fig.yLabel, scale: yScale, axis: yAxis };
  const low = { field: 'low', type: 'quantitative' as const, scale: yScale, title: fig.yLabel };
  const tooltip = [
    { field: 'series', type: 'nominal' as const, title: 'series' },
    { field: 'x', type: 'quantitative' as const, title: fig.xLabel, format: '.4~g' },
    { field: 'y', type: 'quantitative' as const, title: fig.yLabel, format: '.4~g' },
    { field: 'low', type: 'quantitative' as const, title: 'low', format: '.4~g' },
    { field: 'high', type: 'quantitative' as const, title: 'high', format: '.4~g' },
  ];
  const withSpread = (style: 'band' | 'bars') => (s: FigureSeries) => s.spread?.style === style;
  const spreadRows = { filter: 'isValid(datum.low) && isValid(datum.high)' };
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [];
  if (fig.series.some(withSpread('band')))
    layers.push({
      transform: [only(withSpread('band')), spreadRows],
      mark: { type: 'area', opacity: 0.2 },
      encoding: { x, y: low, y2: { field: 'high' }, color },
    });
  if (fig.series.some(withSpread('bars')))
    layers.push({
      transform: [only(withSpread('bars')), spreadRows],
      mark: { type: 'errorbar', ticks: { size: 7 }, thickness: 1.2 },
      encoding: { x, y: low, y2: { field: 'high' }, color },
    });
  if (anyLine) layers.push({ transform: [only(hasLine)], mark: { type: 'line', strokeWidth: 1.6, clip: true }, encoding: { x, y, color, strokeDash } });
  const filledMarkers = (s: FigureSeries) => hasMarkers(s) && s.marker !== 'open';
  const openMarkers = (s: FigureSeries) => s.marker === 'open';
  // Open markers are white inside, so that lines do not cross them; they go under the filled ones,
  // which would otherwise vanish where two series coincide (V7's MF1 and MF2 rates).
  if (fig.series.some(openMarkers))
    layers.push({
      transform: [only(openMarkers)],
      mark: { type: 'point', filled: false, fill: 'white', size: 36, strokeWidth: 1.5, opacity: 1 },
      encoding: { x, y, color, tooltip },
    });
  if (fig.series.some(filledMarkers))
    layers.push({ transform: [only(filledMarkers)], mark: { type: 'point', filled: true, size: 36, opacity: 1 }, encoding: { x, y, color, tooltip } });
  // On the first layer only: Vega-Lite merges the layers' legends into one, and warns of a
  // conflict where two layers carry the same explicit encoding beside different implicit ones.
  const symbols = legendSymbols(fig.series, anyLine);
  if (symbols && layers.length > 0) {
    const first = layers[0] as { encoding: Record<string, unknown> };
    first.encoding = { ...first.encoding, color: { ...color, legend: { ...legend, encoding: symbols } } };
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: fig.uncertainty ? { text: fig.title, subtitle: fig.uncertainty, anchor: 'start' } : { text: fig.title, anchor: 'start' },
    width: fig.width ?? 560,
    height: fig.height ?? 280,
    background: 'white',
    padding: 8,
    config: { font: 'sans-serif', axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' }, legend: { labelFontSize: 11 } },
    data: { name: 'figure', values: rows },
    layer: layers,
  };
}
