/**
 * Every figure a report keeps (docs/validation/EXPERIMENT/figures/NAME.json beside NAME.svg) draws
 * again in Node from its numbers alone, as `mesostp validate --report docs/validation` does: the
 * data table holds the file's numbers, and the drawing is the committed SVG byte for byte, so a
 * change of the plotting code that alters a published figure shows up here, not in a later diff.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { figureFromJson } from '../../../src/analysis/figures/figureData';
import { renderFigureSvg } from '../../../src/analysis/figures/renderSvg';
import { figureRows } from '../../../src/analysis/figures/vegaLiteSpec';

const ROOT = join(import.meta.dirname, '../../../docs/validation');

function committedFigures(): { name: string; json: string; svg: string }[] {
  const found: { name: string; json: string; svg: string }[] = [];
  for (const report of readdirSync(ROOT, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    const dir = join(ROOT, report.name, 'figures');
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    for (const f of files.filter((f) => f.endsWith('.json')).sort())
      found.push({ name: `${report.name}/${f}`, json: join(dir, f), svg: join(dir, f.replace(/\.json$/, '.svg')) });
  }
  return found;
}

const figures = committedFigures();

describe('the committed report figures (docs/validation/*/figures/*.json)', () => {
  it('exist: at least one report keeps its figures as numbers', () => {
    expect(figures.length).toBeGreaterThan(0);
  });

  it.each(figures)('$name: renders in Node to its committed SVG, from the numbers in the file', async ({ json, svg }) => {
    const text = readFileSync(json, 'utf8');
    const fig = figureFromJson(text);
    const raw = JSON.parse(text) as { series: { label: string; x: (number | null)[]; y: (number | null)[] }[] };
    const rows = figureRows(fig);
    for (const s of raw.series) {
      const drawn = rows.filter((r) => r.series === s.label);
      const kept = s.x.flatMap((x, i) => (x === null || s.y[i] === null || (fig.logY && s.y[i]! <= 0) || (fig.logX && x <= 0) ? [] : [[x, s.y[i]]]));
      expect(drawn.map((r) => [r.x, r.y])).toEqual(kept);
    }
    expect(await renderFigureSvg(fig)).toBe(readFileSync(svg, 'utf8'));
  });
});
