/**
 * A figure as SVG text through Vega's own headless renderer: no DOM and no canvas, so reports
 * render in Node (the CLI, the tests) exactly as the app's "save as SVG" does in a browser.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { LineFigure } from './lineFigure';
import { lineFigureSpec } from './vegaLiteSpec';

/** The SVG of a Vega-Lite specification. */
export async function renderSpecSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The SVG of a line figure. */
export function renderFigureSvg(fig: LineFigure): Promise<string> {
  return renderSpecSvg(lineFigureSpec(fig));
}
