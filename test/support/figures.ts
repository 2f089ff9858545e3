/** Checking a report figure against the numbers it was built from (not a test file). */
import { expect } from 'vitest';
import type { FigureSeries, LineFigure } from '../../src/analysis/figures/lineFigure';
import { type FigureRow, figureRows, lineFigureSpec } from '../../src/analysis/figures/vegaLiteSpec';
import { type VariantId, variant } from '../../src/engines';

/** The series labelled `label`; fails the test if there is none. */
export function seriesOf(fig: LineFigure, label: string): FigureSeries {
  const s = fig.series.find((s) => s.label === label);
  if (!s) throw new Error(`figure '${fig.title}' has no series '${label}' (it has ${fig.series.map((s) => `'${s.label}'`).join(', ')})`);
  return s;
}

/** The rows of one series as the specification hands them to Vega-Lite. */
export function rowsOf(fig: LineFigure, label: string): FigureRow[] {
  seriesOf(fig, label);
  return figureRows(fig).filter((r) => r.series === label);
}

const close = (got: number | null, want: number, what: string) => {
  expect(got, what).not.toBeNull();
  expect(Math.abs((got as number) - want), `${what}: ${got} against ${want}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
};

/**
 * The drawn points of a series are exactly (x[i], y[i]), each with the interval y[i] ∓ halfWidth[i]
 * (within rounding), or with none where halfWidth is not given.
 */
export function expectPoints(fig: LineFigure, label: string, x: ArrayLike<number>, y: ArrayLike<number>, halfWidth?: ArrayLike<number>): void {
  const rows = rowsOf(fig, label);
  expect(rows.length, `${label}: points`).toBe(x.length);
  rows.forEach((r, i) => {
    close(r.x, x[i], `${label}: x[${i}]`);
    close(r.y, y[i], `${label}: y[${i}]`);
    if (halfWidth === undefined) {
      expect(r.low, `${label}: no interval at ${i}`).toBeNull();
      expect(r.high, `${label}: no interval at ${i}`).toBeNull();
    } else {
      close(r.low, y[i] - halfWidth[i], `${label}: low[${i}]`);
      close(r.high, y[i] + halfWidth[i], `${label}: high[${i}]`);
    }
  });
}

/** The series is drawn in the registry's colour and line style of the variant, and says which variant it is. */
export function expectRegistryStyle(fig: LineFigure, label: string, id: VariantId): void {
  const s = seriesOf(fig, label);
  const v = variant(id);
  expect(s.color, `${label}: colour`).toBe(v.color);
  expect(s.dashed ?? false, `${label}: dashed`).toBe(v.dashed ?? false);
  expect(label === v.label || label.startsWith(`${v.label} `), `${label}: names ${v.label}`).toBe(true);
}

/** An axis title ends with its unit in parentheses, e.g. 'time (s)'. */
export function expectUnit(axisTitle: string, unit: string): void {
  expect(axisTitle.endsWith(` (${unit})`), `'${axisTitle}' gives its unit ${unit}`).toBe(true);
}

const MANTISSAS = new Set([1, 2, 5]);

/** Every log axis labels from 3 to 13 ticks, each 1, 2 or 5 times a power of ten, or evenly spaced (a short axis). */
export function expectReadableLogTicks(fig: LineFigure): void {
  const layers = (lineFigureSpec(fig) as unknown as { layer: { encoding: Record<string, { field?: string; axis?: { values?: number[] } }> }[] }).layer;
  const drawn = layers.find((l) => l.encoding.y?.field === 'y');
  for (const [axis, log] of [
    ['x', fig.logX],
    ['y', fig.logY],
  ] as const) {
    if (!log) continue;
    const ticks = drawn?.encoding[axis]?.axis?.values;
    expect(ticks, `${fig.title}: ${axis} ticks`).toBeDefined();
    const t = ticks as number[];
    expect(t.length, `${fig.title}: ${axis} ticks ${t}`).toBeGreaterThanOrEqual(3);
    expect(t.length, `${fig.title}: ${axis} ticks ${t}`).toBeLessThanOrEqual(13);
    const decades = t.every((v) => MANTISSAS.has(+(v / 10 ** Math.floor(Math.log10(v))).toPrecision(6)));
    const even = t.every((v, i) => i < 2 || Math.abs(v - t[i - 1] - (t[1] - t[0])) < 1e-9 * t[1]);
    expect(decades || even, `${fig.title}: ${axis} ticks ${t}`).toBe(true);
  }
}
