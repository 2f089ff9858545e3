/**
 * The bifurcation diagram of `mesostp analyze --sweep`: the fixed-point rate of one population
 * against the swept parameter, stable points filled, unstable ones open.
 */
import type { AnalyzedFixedPoint, SweepPoint } from '../meso/analyze';
import type { LineFigure } from './figures/lineFigure';

const COLOR = '#0072b2';

export function bifurcationFigure(sweep: SweepPoint[], population: string, path: string): LineFigure {
  const stable: { x: number[]; y: number[] } = { x: [], y: [] };
  const unstable: { x: number[]; y: number[] } = { x: [], y: [] };
  for (const s of sweep) {
    for (const f of s.fixedPoints) {
      // With --stability a perturbation run decides; without it, the slope test dF/dr < 1.
      const isStable = 'stability' in f ? (f as AnalyzedFixedPoint).stability.stable : f.slope === null || f.slope < 1;
      const into = isStable ? stable : unstable;
      into.x.push(s.value);
      into.y.push(f.rates[population]);
    }
  }
  return {
    title: `Fixed points of ${population} against ${path}`,
    xLabel: path,
    yLabel: `fixed-point rate of ${population} (Hz)`,
    series: [
      { label: 'stable', ...stable, color: COLOR, marker: 'filled' },
      { label: 'unstable', ...unstable, color: COLOR, marker: 'open' },
    ],
  };
}
