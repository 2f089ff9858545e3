/**
 * The interactive form of a line figure's specification, for the app: the x axis zooms (wheel)
 * and pans (drag) with its scale bound to an interval selection, a click on a legend entry shows
 * that series alone (shift-click adds more; double-click shows all again), and every point
 * answers a hover with its values through an invisible marker layer, so even lines without
 * markers do. Reports keep the static specification: these parameters mean nothing in a file.
 */
import type { TopLevelSpec } from 'vega-lite';

/** The name of the legend-bound selection: the series shown. */
export const SHOWN = 'shown';
/** The name of the scale-bound interval selection: the zoomed x range. */
export const ZOOM = 'zoom';

type Layer = {
  mark: ({ type: string; opacity?: number } & Record<string, unknown>) | string;
  encoding?: Record<string, unknown>;
  transform?: unknown[];
  params?: unknown[];
};

/** The specification with zoom and pan on x, legend toggles and hover values. */
export function interactiveSpec(spec: TopLevelSpec): TopLevelSpec {
  const layers = (spec as { layer?: Layer[] }).layer;
  if (!layers || layers.length === 0) return spec;
  const drawn = layers.find((l) => (l.encoding?.y as { field?: string } | undefined)?.field === 'y');
  if (!drawn?.encoding) return spec;
  const shownOnly = (opacity: number) => ({ condition: { param: SHOWN, value: opacity }, value: 0 });
  const withToggle = layers.map((l) => {
    const opacity = typeof l.mark === 'object' && l.mark.opacity !== undefined ? l.mark.opacity : 1;
    return { ...l, encoding: { ...l.encoding, opacity: shownOnly(opacity) } };
  });
  withToggle[0] = {
    ...withToggle[0],
    params: [
      { name: ZOOM, select: { type: 'interval', encodings: ['x'] }, bind: 'scales' },
      { name: SHOWN, select: { type: 'point', fields: ['series'] }, bind: 'legend' },
    ],
  };
  const { x, y, color } = drawn.encoding;
  const hover: Layer = {
    transform: [{ filter: { param: SHOWN, empty: true } }],
    mark: { type: 'point', opacity: 0, size: 90 },
    encoding: {
      x,
      y,
      color,
      tooltip: [
        { field: 'series', type: 'nominal', title: 'series' },
        { field: 'x', type: 'quantitative', title: (x as { title?: string }).title ?? 'x', format: '.4~g' },
        { field: 'y', type: 'quantitative', title: (y as { title?: string }).title ?? 'y', format: '.4~g' },
        { field: 'low', type: 'quantitative', title: 'low', format: '.4~g' },
        { field: 'high', type: 'quantitative', title: 'high', format: '.4~g' },
      ],
    },
  };
  return { ...spec, layer: [...withToggle, hover] } as TopLevelSpec;
}
