/**
 * A figure as SVG text through Vega's own headless renderer: no DOM and no canvas, so reports
 * render in Node (the CLI, the tests) exactly as the app's "save as SVG" does in a browser.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
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

/** The SVG of a Vega-Lite specification. */
export async function renderSpecSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return numberClipsInDocument(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/** The SVG of a line figure. */
export function renderFigureSvg(fig: LineFigure): Promise<string> {
  return renderSpecSvg(lineFigureSpec(fig));
}
