/**
 * The figures: each figure's data table holds exactly the numbers it was given, log axes get
 * readable ticks, engines keep their registry colours, and a figure renders to SVG in Node.
 */
import { describe, expect, it } from 'vitest';
import { plusMinus } from '../../../src/analysis/figures/lineFigure';
import { logTicks } from '../../../src/analysis/figures/logTicks';
import { renderFigureSvg } from '../../../src/analysis/figures/renderSvg';
import { FEW_POINTS, type FigureRow, lineFigureSpec } from '../../../src/analysis/figures/vegaLiteSpec';
import { VARIANTS } from '../../../src/engines';

const rowsOf = (spec: ReturnType<typeof lineFigureSpec>) => (spec as { data: { values: FigureRow[] } }).data.values;
const layersOf = (spec: ReturnType<typeof lineFigureSpec>) =>
  (spec as unknown as { layer: { mark: { type: string }; transform: { filter: unknown }[] }[] }).layer;

describe('logTicks', () => {
  it('labels 1, 2 and 5 of every decade over a few decades', () => {
    expect(logTicks(0.08, 12)).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10]);
  });
  it('labels whole decades over many, and every k-th over very many', () => {
    expect(logTicks(1e-6, 1e2)).toEqual([1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 100]);
    expect(logTicks(1e-12, 1e12).length).toBeLessThanOrEqual(13);
  });
  it('falls back to linear steps on an axis shorter than a factor of 2', () => {
    expect(logTicks(3, 4.5)).toEqual([3, 3.5, 4, 4.5]);
  });
});

describe('lineFigureSpec', () => {
  const y = [0.3, 0.8, 2.1, 6];
  const se = [0.05, 0.1, 0.5, 1.5];
  const micro = VARIANTS.find((v) => v.id === 'micro-cpu')!;
  const age = VARIANTS.find((v) => v.id === 'meso-age')!;
  const fig = {
    title: 'dwell',
    xLabel: 'N',
    yLabel: 'mean dwell time (s)',
    logY: true,
    uncertainty: 'bars: ± s.e.',
    series: [
      { label: micro.label, color: micro.color, x: [100, 200, 300, 500], y, spread: plusMinus(y, se, 'bars') },
      { label: age.label, color: age.color, dashed: true, x: [100, 200, 300, 500], y: [NaN, 0.7, 1.8, 4] },
    ],
  };

  it('holds every finite point with its interval, and no others', () => {
    const rows = rowsOf(lineFigureSpec(fig));
    const of = (label: string) => rows.filter((r) => r.series === label);
    expect(of(micro.label).map((r) => [r.x, r.y])).toEqual(y.map((v, i) => [[100, 200, 300, 500][i], v]));
    of(micro.label).forEach((r, i) => {
      expect(r.high! - r.y).toBeCloseTo(se[i], 12);
      expect(r.y - r.low!).toBeCloseTo(se[i], 12);
    });
    expect(of(age.label).map((r) => r.y)).toEqual([0.7, 1.8, 4]);
    expect(of(age.label).every((r) => r.low === null && r.high === null)).toBe(true);
  });

  it('colours each series as the registry does, and names what the bars are', () => {
    const spec = lineFigureSpec(fig) as unknown as {
      title: { subtitle: string };
      layer: { encoding: { color: { scale: { domain: string[]; range: string[] } } } }[];
    };
    expect(spec.title.subtitle).toBe('bars: ± s.e.');
    expect(spec.layer[0].encoding.color.scale).toEqual({ domain: [micro.label, age.label], range: [micro.color, age.color] });
  });

  it('draws error bars, lines, and markers on lines of few points', () => {
    const marks = layersOf(lineFigureSpec(fig)).map((l) => l.mark.type);
    expect(marks).toEqual(['errorbar', 'line', 'point']);
    // One line layer; the dashed series dashed through a strokeDash scale whose legend merges with the colours'.
    const line = (lineFigureSpec(fig) as unknown as { layer: { encoding: { strokeDash?: { scale: { range: number[][] } } } }[] }).layer[1];
    expect(line.encoding.strokeDash?.scale.range).toEqual([
      [1, 0],
      [6, 3],
    ]);
    const long = {
      ...fig,
      series: [{ label: 'a', color: '#000', x: Array.from({ length: FEW_POINTS + 1 }, (_, i) => i + 1), y: Array(FEW_POINTS + 1).fill(1) }],
    };
    expect(layersOf(lineFigureSpec(long)).map((l) => l.mark.type)).toEqual(['line']);
  });

  it('draws open markers under the filled ones, so that a filled marker at the same point stays visible', () => {
    const both = {
      ...fig,
      series: [
        { label: 'open', color: '#56B4E9', x: [1, 2], y: [1, 2], marker: 'open' as const },
        { label: 'filled', color: '#D55E00', x: [1, 2], y: [1, 2], marker: 'filled' as const },
      ],
    };
    const points = (layersOf(lineFigureSpec(both)) as unknown as { mark: { type: string; filled?: boolean } }[]).filter((l) => l.mark.type === 'point');
    expect(points.map((l) => l.mark.filled)).toEqual([false, true]);
  });

  it('cuts a lower interval end below a log axis at the axis, not at zero', () => {
    const rows = rowsOf(lineFigureSpec({ ...fig, series: [{ ...fig.series[0], spread: plusMinus(y, [0.5, 0.1, 0.5, 1.5], 'bars') }] }));
    expect(rows[0].low).toBeGreaterThan(0);
    expect(rows[0].low).toBeLessThan(0.3);
  });

  it('refuses two series with the same label (the legend could not tell them apart)', () => {
    expect(() => lineFigureSpec({ ...fig, series: [fig.series[0], fig.series[0]] })).toThrow(/two series are labelled/);
  });
});

describe('renderFigureSvg', () => {
  it('renders in Node without a browser, with the readable log ticks and the legend', async () => {
    const svg = await renderFigureSvg({
      title: 'V3: mean dwell time <N>',
      xLabel: 'N',
      yLabel: 'mean dwell time (s)',
      logY: true,
      series: [{ label: 'micro', color: '#000000', x: [100, 200, 300, 500], y: [0.3, 0.8, 2.1, 6] }],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const tick of ['0.5', '1', '2', '5']) expect(labels).toContain(tick);
    expect(labels).not.toContain('1e0');
    expect(labels).toContain('micro');
    expect(labels).toContain('V3: mean dwell time &lt;N&gt;');
  });
});

describe('log-axis labels', () => {
  const labels = async (y: number[]) => {
    const svg = await renderFigureSvg({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      logY: true,
      series: [{ label: 'a', color: '#000000', x: y.map((_, i) => i), y }],
    });
    return [...svg.matchAll(/<text text-anchor="end" transform="translate\(-[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  };
  it('plain numbers where every tick reads well so, exponents for every tick otherwise', async () => {
    expect(await labels([0.3, 6])).toEqual(['0.5', '1', '2', '5']);
    const small = await labels([3e-7, 8e-4]);
    expect(small.length).toBeGreaterThan(2);
    expect(small.every((l) => /^\d+e-\d+$/.test(l))).toBe(true);
  });
});
