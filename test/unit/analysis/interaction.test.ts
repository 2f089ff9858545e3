/**
 * The app's interactive figures: the specification gains zoom and pan on x, legend toggles that
 * hide every mark of the other series, and a hover layer on every point, and still compiles and
 * renders (in Node here; the browser suite hovers and clicks it in Chromium).
 */
import { describe, expect, it } from 'vitest';
import { interactiveSpec, SHOWN, ZOOM } from '../../../src/analysis/figures/interaction';
import { plusMinus } from '../../../src/analysis/figures/lineFigure';
import { renderSpecSvg } from '../../../src/analysis/figures/renderSvg';
import { lineFigureSpec } from '../../../src/analysis/figures/vegaLiteSpec';

type Layer = { mark: { type: string; opacity?: number }; params?: { name: string; bind: unknown }[]; encoding: Record<string, unknown> };

describe('interactiveSpec', () => {
  const x = Array.from({ length: 40 }, (_, i) => i * 0.01);
  const y = x.map((t) => Math.sin(10 * t));
  const spec = interactiveSpec(
    lineFigureSpec({
      title: '',
      xLabel: 'time (s)',
      yLabel: 'input (mV)',
      series: [
        { label: 'micro', color: '#0072B2', x, y, spread: plusMinus(y, Array(40).fill(0.1), 'band') },
        { label: 'meso', color: '#D55E00', x, y, dashed: true },
      ],
    }),
  );
  const layers = (spec as unknown as { layer: Layer[] }).layer;

  it('binds the x scale to a zoom interval and the legend to the series shown', () => {
    expect(layers[0].params?.map((p) => [p.name, p.bind])).toEqual([
      [ZOOM, 'scales'],
      [SHOWN, 'legend'],
    ]);
  });

  it('hides every mark of a series left out by the legend, bands at their own opacity', () => {
    for (const l of layers.slice(0, -1)) {
      const kept = l.mark.type === 'area' ? 0.2 : 1;
      expect(l.encoding.opacity).toEqual({ condition: { param: SHOWN, value: kept }, value: 0 });
    }
  });

  it('answers a hover on any point with its series, x and y, even on lines without markers', () => {
    const hover = layers.at(-1)!;
    expect(hover.mark).toMatchObject({ type: 'point', opacity: 0 });
    expect((hover.encoding.tooltip as { field: string }[]).map((t) => t.field)).toEqual(['series', 'x', 'y', 'low', 'high']);
  });

  it('compiles and renders', async () => {
    expect(await renderSpecSvg(spec)).toMatch(/^<svg[\s\S]*>micro<\/text>[\s\S]*<\/svg>$/);
  });
});
