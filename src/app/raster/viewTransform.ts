/**
 * The spike raster's view: which time window and which rows are visible, and the matrix that
 * maps them onto clip space. Pure functions, so pan/zoom arithmetic is tested in Node and the
 * browser code only wires events to them.
 *
 * Data space: x = time (s), y = row (neuron index; row r occupies [r, r + 1), row 0 at the top).
 */
import { mat4 } from 'wgpu-matrix';

/** Visible time range [t0, t1] in seconds and visible row range [r0, r1]. */
export interface View {
  t0: number;
  t1: number;
  r0: number;
  r1: number;
}

/** The data extent a view must stay inside, and how far in one may zoom. */
export interface ViewLimits {
  duration: number;
  rows: number;
  /** Narrowest time span (s); a span below this shows only float32 rounding of spike times. */
  minSpanT: number;
  /** Fewest rows shown at once. */
  minSpanR: number;
}

/** A point of data space subtracted before the matrix is applied (see viewMatrix). */
export interface ViewOrigin {
  t: number;
  r: number;
}

export function fullView(duration: number, rows: number): View {
  return { t0: 0, t1: duration, r0: 0, r1: rows };
}

/**
 * Column-major mat4 taking (t − origin.t, r − origin.r, 0, 1) to clip space: (t0, r0) to the
 * top-left corner (−1, 1), (t1, r1) to the bottom-right (1, −1), z to 0.
 *
 * The origin exists for float32: far into a long run, a narrow window makes `scale·t + offset`
 * the difference of two large numbers, and the marks jitter by whole pixels. The shader
 * subtracts an origin near the window first (exact in float32 for nearby values), so the
 * matrix only sees small coordinates. With no origin the matrix maps data space directly.
 */
export function viewMatrix(view: View, origin: ViewOrigin = { t: 0, r: 0 }): Float32Array {
  if (!(view.t1 > view.t0) || !(view.r1 > view.r0)) {
    throw new RangeError(`viewMatrix: empty view t ∈ [${view.t0}, ${view.t1}], rows ∈ [${view.r0}, ${view.r1}]`);
  }
  // ortho's "bottom" goes to y = −1 and "top" to y = +1, so passing r1 as bottom puts row 0 on top.
  return mat4.ortho(view.t0 - origin.t, view.t1 - origin.t, view.r1 - origin.r, view.r0 - origin.r, 0, 1);
}

/**
 * One axis given by its low end and span: the span limited to [minSpan, extent] (minSpan capped
 * at the extent; a changed span keeps its centre), then the whole moved inside [0, extent].
 */
function clampAxis(lo: number, span: number, extent: number, minSpan: number): [number, number] {
  const s = Math.min(Math.max(span, Math.min(minSpan, extent)), extent);
  let a = s === span ? lo : lo + (span - s) / 2;
  a = Math.min(Math.max(a, 0), extent - s);
  return [a, a + s];
}

/** The nearest view inside the data extent whose spans respect the limits. */
export function clampView(view: View, limits: ViewLimits): View {
  const [t0, t1] = clampAxis(view.t0, view.t1 - view.t0, limits.duration, limits.minSpanT);
  const [r0, r1] = clampAxis(view.r0, view.r1 - view.r0, limits.rows, limits.minSpanR);
  return { t0, t1, r0, r1 };
}

/** Zooms one axis by `factor` about the point at fraction f of it, then clamps. */
function zoomAxis(a: number, b: number, f: number, factor: number, extent: number, minSpan: number): [number, number] {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new RangeError(`zoom factor must be positive and finite, got ${factor}`);
  const anchor = a + f * (b - a);
  // Limit the span before placing it, so that the anchor stays put at the zoom limits too.
  const span = Math.min(Math.max((b - a) / factor, Math.min(minSpan, extent)), extent);
  return clampAxis(anchor - f * span, span, extent, minSpan);
}

/**
 * Zooms about the point at (fx, fy), fractions of the canvas width and height from its top-left
 * corner; the data point there stays put unless clamping to the extent has to move the view.
 * factorX/factorY > 1 zoom in (the span shrinks by that factor), < 1 zoom out, 1 leaves the axis.
 */
export function zoomAt(view: View, fx: number, fy: number, factorX: number, factorY: number, limits: ViewLimits): View {
  const [t0, t1] = zoomAxis(view.t0, view.t1, fx, factorX, limits.duration, limits.minSpanT);
  const [r0, r1] = zoomAxis(view.r0, view.r1, fy, factorY, limits.rows, limits.minSpanR);
  return { t0, t1, r0, r1 };
}

/**
 * Moves the view by fractions of its own span: dxFrac > 0 shows later times, dyFrac > 0 higher
 * rows (further down the screen). Clamped to the extent; spans do not change.
 */
export function panBy(view: View, dxFrac: number, dyFrac: number, limits: ViewLimits): View {
  const dt = dxFrac * (view.t1 - view.t0);
  const dr = dyFrac * (view.r1 - view.r0);
  return clampView({ t0: view.t0 + dt, t1: view.t1 + dt, r0: view.r0 + dr, r1: view.r1 + dr }, limits);
}

/** Fraction of a row's height a mark fills once rows are taller than minPx, leaving gaps between rows. */
export const ROW_FILL = 0.8;

/**
 * Half width and half height, in clip units, of a spike mark on a canvas of widthPx × heightPx
 * device pixels. A mark is never thinner than minPx device pixels in either direction, so no
 * spike vanishes between pixel centres at any zoom; it is ROW_FILL of a row tall once rows are
 * taller than that, and at most 2·minPx wide, so marks stay ticks at a time position.
 */
export function markHalfSize(view: View, widthPx: number, heightPx: number, minPx: number): [number, number] {
  const w = Math.max(widthPx, 1);
  const h = Math.max(heightPx, 1);
  const rowPx = h / (view.r1 - view.r0);
  const markH = Math.max(minPx, ROW_FILL * rowPx);
  const markW = Math.min(2 * minPx, Math.max(minPx, markH / 4));
  // n device pixels are 2n/size clip units across, so a half size of n pixels is n/size.
  return [markW / w, markH / h];
}
