/**
 * A figure as SVG text through Vega's own headless renderer: no DOM and no canvas, so reports
 * render in Node (the CLI, the tests) exactly as the app's "save as SVG" does in a browser.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { LineFigure } from './lineFigure';
import { lineFigureSpec } from './vegaLiteSpec';

/**
 * Clip-path ids numbered within the document: Vega counts them across the process, so the same
 * figure drawn second would differ in its bytes, and a re-rendered report would show changes in
 * every file.
 */
function numberClipsInDocument(svg: string): string {
  const ids = new Map<string, number>();
  return svg.replace(/\bclip(\d+)\b/g, (_, n: string) => {
    if (!ids.has(n)) ids.set(n, ids.size + 1);
    return `clip${ids.get(n)}`;
  });
}

/**
 * Path coordinates to 0.1 px, finer than a screen or a print shows: Vega writes two decimals, and
 * the figures of a few thousand bins with bands are mostly path coordinates.
 */
function roundPathCoordinates(svg: string): string {
  return svg.replace(/ d="([^"]*)"/g, (_, d: string) => ` d="${d.replace(/-?\d+\.\d{2,}(e-?\d+)?/g, (v) => String(Math.round(Number(v) * 10) / 10))}"`);
}

/** The SVG of a Vega-Lite specification. */
export async function renderSpecSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded on the first figure, not with the module: importing both takes about 0.4 s, which
  // every CLI command (most draw nothing) would otherwise pay at start-up.
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return roundPathCoordinates(numberClipsInDocument(await view.toSVG()));
  } finally {
    view.finalize();
  }
}

/** The SVG of a line figure. */
export function renderFigureSvg(fig: LineFigure): Promise<string> {
  return renderSpecSvg(lineFigureSpec(fig));
}
