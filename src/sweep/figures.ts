/**
 * The figures of a sweep: one SVG per quantity of the table (figures/<kind>-<quantity>.svg), the
 * quantity against the first varied field, one line per population, input or STP projection and
 * per value of the other varied fields, with error bars of ±1 standard error.
 */
import type { FigureSeries, LineFigure } from '../analysis/figures/lineFigure';
import { renderFigureSvg } from '../analysis/figures/renderSvg';
import type { Vary } from './grid';
import { ROW_KINDS, type SweepTable } from './table';

/**
 * The Okabe–Ito palette, safe for the common colour-vision deficiencies, without its yellow (too
 * pale on white); lines beyond seven repeat the colours dashed.
 */
const COLORS = ['#000000', '#E69F00', '#56B4E9', '#009E73', '#0072B2', '#D55E00', '#CC79A7'];

const withUnit = (text: string, unit: string | null | undefined) => (unit ? `${text} (${unit})` : text);

/** The last key of a path, for legends ("projections[0].weight" → "weight"). */
const shortPath = (path: string) => path.replace(/^.*\./, '');

export interface Figure {
  /** The file name under figures/: "population-rateHz.svg". */
  file: string;
  figure: LineFigure;
}

/** A sweep figure as the SVG text written to its file. */
export async function sweepFigureSvg(f: Figure): Promise<string> {
  return `${await renderFigureSvg(f.figure)}\n`;
}

/** Every figure of the table (`units`: of the varied fields; `title`: what the titles start with, e.g. the scenario and level). */
export function sweepFigures(t: SweepTable, varies: readonly Vary[], units: readonly (string | undefined)[], title: string): Figure[] {
  const [first, ...others] = varies;
  const figures: Figure[] = [];
  for (const kind of ROW_KINDS) {
    const rows = t.rows.filter((r) => r.kind === kind);
    for (const q of t.quantities.filter((q) => q.kind === kind)) {
      // One line per name and values of the other varied fields, in the table's order.
      const groups = new Map<string, { label: string; points: { x: number; y: number; e: number }[] }>();
      for (const r of rows) {
        const y = r[q.key];
        if (typeof y !== 'number') continue;
        const label = [String(r.name), ...others.map((v) => `${shortPath(v.path)}=${r[v.path]}`)].join(', ');
        const g = groups.get(label) ?? { label, points: [] };
        const e = r[`${q.key}_sem`];
        g.points.push({ x: r[first.path] as number, y, e: typeof e === 'number' ? e : NaN });
        groups.set(label, g);
      }
      if (groups.size === 0) continue;
      const lines: FigureSeries[] = [...groups.values()].map((g, i) => {
        const points = [...g.points].sort((a, b) => a.x - b.x);
        return {
          label: g.label,
          x: points.map((p) => p.x),
          y: points.map((p) => p.y),
          spread: { low: points.map((p) => p.y - p.e), high: points.map((p) => p.y + p.e), style: 'bars' },
          color: COLORS[i % COLORS.length],
          dashed: i >= COLORS.length,
          marker: 'filled',
          joined: true,
        };
      });
      const logX = first.spacing === 'log' || (first.values.every((v) => v > 0) && first.spacing === 'list' && isLogSpaced(first.values));
      const figure: LineFigure = {
        title: `${title}: ${q.label}`,
        uncertainty: 'bars: ± 1 s.e.',
        xLabel: withUnit(first.path, units[0]),
        yLabel: withUnit(`${kind} ${q.key}`, q.unit),
        logX,
        series: lines,
      };
      figures.push({ file: `${kind}-${q.key}.svg`, figure });
    }
  }
  return figures;
}

/** A list of at least three positive values whose ratios are all equal (0.001, 0.01, 0.1): drawn on a log axis. */
function isLogSpaced(values: readonly number[]): boolean {
  if (values.length < 3) return false;
  const s = [...values].sort((a, b) => a - b);
  const r = s[1] / s[0];
  return r > 2 && s.every((v, i) => i === 0 || Math.abs(v / s[i - 1] / r - 1) < 1e-6);
}
