/** The report plots: points land where the axes say, on linear and logarithmic axes. */
import { describe, expect, it } from 'vitest';
import { linePlotSvg } from '../../../src/analysis/svgPlot';

/** The path's points as [x, y] pixel pairs. */
function points(svg: string): number[][] {
  const d = /<path d="([^"]+)"/.exec(svg)![1];
  return d
    .split(/[ML]/)
    .filter(Boolean)
    .map((p) => p.split(',').map(Number));
}

describe('linePlotSvg', () => {
  const opts = { title: 't <1>', xLabel: 'N', yLabel: 'cost', width: 780, height: 360 };

  it('log-log: points a decade apart are equally spaced, and decade ticks are labelled', () => {
    const svg = linePlotSvg([{ label: 'a', x: [100, 1000, 10000], y: [0.01, 0.1, 1], color: '#000' }], { ...opts, logX: true, logY: true });
    const p = points(svg);
    expect(p[1][0] - p[0][0]).toBeCloseTo(p[2][0] - p[1][0], 0);
    expect(p[0][1] - p[1][1]).toBeCloseTo(p[1][1] - p[2][1], 0);
    expect(svg).toContain('>1e3<');
    expect(svg).toContain('>1e-1<');
    expect(svg).toContain('t &lt;1&gt;');
  });

  it('linear x: the middle point of an uneven grid sits proportionally', () => {
    const svg = linePlotSvg([{ label: 'a', x: [0, 1, 4], y: [1, 1, 1], color: '#000' }], opts);
    const p = points(svg);
    expect((p[1][0] - p[0][0]) / (p[2][0] - p[0][0])).toBeCloseTo(0.25, 2);
  });
});
