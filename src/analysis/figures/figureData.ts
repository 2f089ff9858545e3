/**
 * A figure's numbers as JSON, written beside its SVG (figures/NAME.json for figures/NAME.svg), so
 * a report's figures can be drawn again, by a later version of the plotting code, without
 * rerunning the simulations that produced them (`mesostp validate --report DIR`). JSON has no
 * NaN: a missing value is written as null and read back as NaN, as the figures treat it.
 */
import { z } from 'zod';
import type { FigureSeries, LineFigure } from './lineFigure';

/** The format tag of the file, checked when read. */
export const FIGURE_DATA_FORMAT = 'mesostp-figure/1';

const numbers = z.array(z.number().nullable()).transform((a) => Float64Array.from(a, (v) => (v === null ? Number.NaN : v)));

const SeriesSchema = z.object({
  label: z.string(),
  color: z.string(),
  x: numbers,
  y: numbers,
  spread: z.object({ low: numbers, high: numbers, style: z.enum(['band', 'bars']) }).optional(),
  dashed: z.boolean().optional(),
  marker: z.enum(['filled', 'open']).optional(),
  joined: z.boolean().optional(),
});

const FigureDataSchema = z.object({
  format: z.literal(FIGURE_DATA_FORMAT),
  title: z.string(),
  xLabel: z.string(),
  yLabel: z.string(),
  logX: z.boolean().optional(),
  logY: z.boolean().optional(),
  xDomain: z.tuple([z.number(), z.number()]).optional(),
  uncertainty: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  series: z.array(SeriesSchema),
});

const plain = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isFinite(v) ? v : null));

function plainSeries(s: FigureSeries) {
  return { ...s, x: plain(s.x), y: plain(s.y), spread: s.spread && { low: plain(s.spread.low), high: plain(s.spread.high), style: s.spread.style } };
}

/** The figure as JSON text. */
export function figureToJson(fig: LineFigure): string {
  return `${JSON.stringify({ format: FIGURE_DATA_FORMAT, ...fig, series: fig.series.map(plainSeries) })}\n`;
}

/** The figure of a JSON text written by figureToJson; throws, naming the field, on anything else. */
export function figureFromJson(text: string): LineFigure {
  const parsed = FigureDataSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`not a mesostp figure: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const { format: _format, ...fig } = parsed.data;
  return fig;
}
