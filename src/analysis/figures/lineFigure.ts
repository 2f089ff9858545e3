/**
 * What a line figure shows, independent of how it is drawn: series of (x, y) with their
 * uncertainty, axes with units, and whether each axis is logarithmic. Reports and the app build
 * these; ./vegaLiteSpec.ts turns one into a Vega-Lite specification and ./renderSvg.ts into SVG.
 * Keeping the description plain data lets tests compare a figure's numbers with the numbers it
 * was drawn from without parsing a drawing.
 */

/** The interval drawn around each y: a shaded band (time courses, spectra) or error bars (a few points). */
export interface Spread {
  low: ArrayLike<number>;
  high: ArrayLike<number>;
  style: 'band' | 'bars';
}

export interface FigureSeries {
  /** The legend entry; unique within a figure. */
  label: string;
  /** A colour of the Okabe–Ito palette; engines take theirs from the registry (src/engines). */
  color: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** NaN in low or high: no interval at that point. */
  spread?: Spread;
  dashed?: boolean;
  /** Markers at the points: filled, or open (e.g. unstable fixed points). Lines of few points get filled ones anyway. */
  marker?: 'filled' | 'open';
  /** With a marker: whether the points are joined by a line as well (default: no). */
  joined?: boolean;
}

export interface LineFigure {
  title: string;
  /** Axis titles, with their units. */
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  /** A linear x axis's extent, where the data's own would hide a point at the edge or a meaningful bound (a CV from 0 to 1). */
  xDomain?: [number, number];
  /** What the bands or bars are (e.g. 'bands: trial mean ± s.e.'), shown under the title. */
  uncertainty?: string;
  series: FigureSeries[];
  /** Plot area in pixels (without axes, titles and legend). */
  width?: number;
  height?: number;
}

/** The interval y ± halfWidth (a standard error, a standard deviation). */
export function plusMinus(y: ArrayLike<number>, halfWidth: ArrayLike<number>, style: Spread['style']): Spread {
  const low = Float64Array.from({ length: y.length }, (_, i) => y[i] - halfWidth[i]);
  const high = Float64Array.from({ length: y.length }, (_, i) => y[i] + halfWidth[i]);
  return { low, high, style };
}

/** A figure's title, axes and size without its series (the app's figures fill the series in live). */
export type FigureOptions = Omit<LineFigure, 'series'>;

/** The first `seconds` of a binned series (bins of `binSize`, drawn at their centres) in a variant's label, colour and dash. */
export function leadingSeries(
  style: { label: string; color: string; dashed?: boolean },
  values: ArrayLike<number>,
  binSize: number,
  seconds: number,
): FigureSeries {
  const n = Math.min(values.length, Math.round(seconds / binSize));
  return {
    label: style.label,
    x: Float64Array.from({ length: n }, (_, k) => (k + 0.5) * binSize),
    y: Array.from({ length: n }, (_, k) => values[k]),
    color: style.color,
    dashed: style.dashed,
  };
}
