/**
 * The legend shows each series once with a symbol drawn as the series is: a stroke for a line
 * (dashed for a dashed one, also over a band), a circle for markers alone, an open circle for open
 * markers alone, in the series' colour, also where one figure mixes them. Vega-Lite merges the
 * colour and dash legends into one with a single symbol type, so the mixed case needs per-entry
 * symbols; these are read back from the compiled specification and from the rendered SVG.
 */
import { describe, expect, it, vi } from 'vitest';
import { compile } from 'vega-lite';
import { interactiveSpec } from '../../../src/analysis/figures/interaction';
import { type LineFigure, plusMinus } from '../../../src/analysis/figures/lineFigure';
import { renderFigureSvg } from '../../../src/analysis/figures/renderSvg';
import { lineFigureSpec } from '../../../src/analysis/figures/vegaLiteSpec';

const few = [1, 2, 3, 4, 5];
const many = Array.from({ length: 40 }, (_, i) => i / 8);
const ys = (x: number[], f: (v: number) => number) => x.map(f);

const mixed: LineFigure = {
  title: 'mixed',
  xLabel: 't (s)',
  yLabel: 'A (Hz)',
  series: [
    { label: 'line', color: '#000000', x: many, y: ys(many, Math.sin) },
    { label: 'dashed line', color: '#56B4E9', x: many, y: ys(many, Math.cos), dashed: true },
    { label: 'markers', color: '#E69F00', x: few, y: ys(few, (v) => v / 5), marker: 'filled' },
    // Dashed but without a line: nothing of it is dashed, so neither is its circle.
    { label: "open 'markers'", color: '#009E73', x: few, y: ys(few, (v) => -v / 5), marker: 'open', dashed: true },
    { label: 'joined', color: '#CC79A7', x: few, y: ys(few, (v) => v / 10), marker: 'filled', joined: true },
    {
      label: 'bars',
      color: '#0072B2',
      x: few,
      y: ys(few, (v) => 0.5 - v / 10),
      marker: 'filled',
      spread: plusMinus(
        ys(few, (v) => 0.5 - v / 10),
        [0.1, 0.1, 0.1, 0.1, 0.1],
        'bars',
      ),
    },
  ],
};
const markersOnly: LineFigure = {
  title: 'markers',
  xLabel: 't (s)',
  yLabel: 'A (Hz)',
  series: [
    { label: 'filled', color: '#E69F00', x: few, y: few, marker: 'filled' },
    { label: 'open', color: '#56B4E9', x: few, y: ys(few, (v) => v + 1), marker: 'open' },
  ],
};
const bands: LineFigure = {
  title: 'bands',
  xLabel: 't (s)',
  yLabel: 'A (Hz)',
  series: [
    { label: 'band', color: '#000000', x: many, y: ys(many, Math.sin), spread: plusMinus(ys(many, Math.sin), Array(many.length).fill(0.2), 'band') },
    {
      label: 'dashed band',
      color: '#D55E00',
      x: many,
      y: ys(many, Math.cos),
      dashed: true,
      spread: plusMinus(ys(many, Math.cos), Array(many.length).fill(0.1), 'band'),
    },
  ],
};

type Symbol = { shape: 'stroke' | 'circle'; dashed: boolean; open: boolean; stroke: string };

/** The legend entries of a rendered figure: each label with the symbol drawn beside it. */
function legendEntries(svg: string): Map<string, Symbol> {
  const entries = new Map<string, Symbol>();
  const entry = /role-legend-symbol[^>]*><path([^>]*)\/><\/g><g class="mark-text role-legend-label"[^>]*><text[^>]*>([^<]*)<\/text>/g;
  for (const [, attributes, text] of svg.matchAll(entry)) {
    const attr = (name: string) => new RegExp(` ${name}="([^"]*)"`).exec(attributes)?.[1];
    const label = text.replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    expect(entries.has(label), `'${label}' shown once`).toBe(false);
    const d = attr('d') ?? '';
    entries.set(label, {
      shape: /A/.test(d) ? 'circle' : /^M-?[\d.]+,0L[\d.]+,0$/.test(d) ? 'stroke' : (d as never),
      dashed: (attr('stroke-dasharray') ?? '1,0') !== '1,0',
      open: attr('fill-opacity') === '0',
      stroke: attr('stroke') ?? '',
    });
  }
  return entries;
}

/** What the legend should show for each series of a figure. */
function expected(fig: LineFigure): Map<string, Symbol> {
  return new Map(
    fig.series.map((s) => {
      const line = s.marker === undefined || s.joined === true;
      return [s.label, { shape: line ? 'stroke' : 'circle', dashed: line && s.dashed === true, open: !line && s.marker === 'open', stroke: s.color }];
    }),
  );
}

describe('legend symbols', () => {
  it.each([
    ['lines and markers mixed', mixed],
    ['markers alone, filled and open', markersOnly],
    ['lines over bands, one dashed', bands],
  ])('%s: each series once, its symbol drawn as the series is', async (_, fig) => {
    // Vega-Lite warns (on the console of every report run) where the layers' legends conflict.
    const warn = vi.spyOn(console, 'warn');
    try {
      expect(legendEntries(await renderFigureSvg(fig))).toEqual(expected(fig));
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it.each([
    ['in reports', lineFigureSpec(mixed)],
    ["in the app, beside the legend's toggles", interactiveSpec(lineFigureSpec(mixed))],
  ])('the mixed figure carries per-entry symbols through Vega-Lite into its one legend %s', (_, spec) => {
    const legends = compile(spec).spec.legends ?? [];
    expect(legends).toHaveLength(1);
    const update = legends[0].encode?.symbols?.update as Record<string, { signal?: string }>;
    for (const channel of ['shape', 'size'])
      for (const label of ['markers', "open 'markers'", 'bars']) expect(update[channel]?.signal, channel).toContain(`"${label}"`);
    expect(update.shape.signal).not.toContain('"joined"');
    expect(update.fillOpacity?.signal).toContain(`"open 'markers'"`);
    expect(update.fillOpacity.signal).not.toContain('"bars"');
  });

  it('a figure whose series all share one kind of symbol keeps the plain legend (the committed figures draw as before)', () => {
    for (const fig of [bands, { ...mixed, series: mixed.series.filter((s) => s.marker === undefined || s.joined) }]) {
      const spec = lineFigureSpec(fig) as unknown as { layer: { encoding: { color: { legend: Record<string, unknown> } } }[] };
      for (const layer of spec.layer) expect(layer.encoding.color.legend).not.toHaveProperty('encoding');
    }
  });
});
