import { describe, expect, it } from 'vitest';
import { vec4 } from 'wgpu-matrix';
import { clampView, fullView, markHalfSize, panBy, ROW_FILL, viewMatrix, zoomAt, type View, type ViewLimits } from '../../../src/app/raster/viewTransform';

const limits: ViewLimits = { duration: 10, rows: 1000, minSpanT: 0.001, minSpanR: 10 };

/** Clip coordinates (x, y, z, w) of a data point, through the matrix as the shader applies it. */
function clip(m: Float32Array, t: number, r: number): number[] {
  return Array.from(vec4.transformMat4([t, r, 0, 1], m));
}

/** Data point under the canvas fractions (fx, fy). */
const under = (v: View, fx: number, fy: number) => [v.t0 + fx * (v.t1 - v.t0), v.r0 + fy * (v.r1 - v.r0)];

function expectRelClose(actual: number, expected: number, rel = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(Math.abs(expected), 1e-300));
}

function expectViewClose(a: View, b: View, rel = 1e-12): void {
  expectRelClose(a.t0, b.t0, rel);
  expectRelClose(a.t1, b.t1, rel);
  expectRelClose(a.r0, b.r0, rel);
  expectRelClose(a.r1, b.r1, rel);
}

describe('viewMatrix', () => {
  it('maps (t0, r0) to the top-left and (t1, r1) to the bottom-right of clip space, exactly', () => {
    // Spans and ends that are exact in float32, so every product in the transform is exact.
    const v = { t0: 0.25, t1: 2.25, r0: 16, r1: 80 };
    const m = viewMatrix(v);
    expect(clip(m, v.t0, v.r0)).toEqual([-1, 1, 0, 1]);
    expect(clip(m, v.t1, v.r1)).toEqual([1, -1, 0, 1]);
    expect(clip(m, (v.t0 + v.t1) / 2, (v.r0 + v.r1) / 2)).toEqual([0, 0, 0, 1]);
  });

  it('puts row 0 at the top of the full view and the last row at the bottom', () => {
    const m = viewMatrix(fullView(4, 512));
    expect(clip(m, 0, 0)).toEqual([-1, 1, 0, 1]);
    expect(clip(m, 4, 512)).toEqual([1, -1, 0, 1]);
    expect(clip(m, 0, 1)[1]).toBeLessThan(1); // higher rows lower on screen
  });

  it('is column-major: the translation sits in elements 12 and 13', () => {
    const m = viewMatrix({ t0: 1, t1: 3, r0: 0, r1: 4 });
    expect(m[0]).toBe(1); // 2 / (t1 − t0)
    expect(m[5]).toBe(-0.5); // −2 / (r1 − r0): y points down
    expect(m[12]).toBe(-2); // −(t1 + t0) / (t1 − t0)
    expect(m[13]).toBe(1);
    expect(m[3]).toBe(0);
  });

  it('maps arbitrary views to the corners within float32 precision', () => {
    const v = { t0: 0.3, t1: 1.7, r0: 3.1, r1: 977.9 };
    const m = viewMatrix(v);
    const [x0, y0] = clip(m, v.t0, v.r0);
    const [x1, y1] = clip(m, v.t1, v.r1);
    for (const [a, e] of [
      [x0, -1],
      [y0, 1],
      [x1, 1],
      [y1, -1],
    ])
      expect(Math.abs(a - e)).toBeLessThan(1e-6);
  });

  it('with an origin, maps data relative to it to the same clip points', () => {
    const v = { t0: 5.5, t1: 5.75, r0: 100, r1: 164 };
    const m = viewMatrix(v, { t: 5.5, r: 100 });
    expect(clip(m, 0, 0)).toEqual([-1, 1, 0, 1]);
    expect(clip(m, 0.25, 64)).toEqual([1, -1, 0, 1]);
  });

  it('keeps float32 shader arithmetic pixel-accurate far into a run only with an origin near the view', () => {
    // What the shader does, rounding every operation to float32: m · (t − origin).
    const f = Math.fround;
    const shaderX = (m: Float32Array, t: number, origin: number) => f(f(m[0] * f(f(t) - f(origin))) + m[12]);
    const v = { t0: 1000.0123, t1: 1000.0133, r0: 0, r1: 100 }; // 1 ms at t ≈ 1000 s
    const t = f(1000.0128);
    const exact = -1 + (2 * (t - v.t0)) / (v.t1 - v.t0);
    const o = f(v.t0);
    const withOrigin = shaderX(viewMatrix(v, { t: o, r: 0 }), t, o);
    const without = shaderX(viewMatrix(v), t, 0);
    const pixel = 2 / 2000; // one pixel of a 2000-pixel-wide canvas
    expect(Math.abs(withOrigin - exact)).toBeLessThan(pixel / 10);
    expect(Math.abs(without - exact)).toBeGreaterThan(pixel);
  });

  it('rejects an empty view', () => {
    expect(() => viewMatrix({ t0: 1, t1: 1, r0: 0, r1: 10 })).toThrow(RangeError);
    expect(() => viewMatrix({ t0: 0, t1: 1, r0: 5, r1: 4 })).toThrow(RangeError);
  });
});

describe('zoomAt', () => {
  const start: View = { t0: 2.5, t1: 6.1, r0: 120, r1: 730 };

  it.each([
    [0.5, 0.5, 2, 3],
    [0.137, 0.91, 1.7, 1],
    [0.9, 0.05, 1 / 1.3, 1 / 1.1],
    [0, 1, 4, 4],
  ])('keeps the data point under (%f, %f) fixed when zooming by (%f, %f)', (fx, fy, kx, ky) => {
    const next = zoomAt(start, fx, fy, kx, ky, limits);
    const [t, r] = under(start, fx, fy);
    const [t2, r2] = under(next, fx, fy);
    expectRelClose(t2, t, 1e-12);
    expectRelClose(r2, r, 1e-12);
    expectRelClose(next.t1 - next.t0, (start.t1 - start.t0) / kx, 1e-12);
    expectRelClose(next.r1 - next.r0, (start.r1 - start.r0) / ky, 1e-12);
  });

  it('zooming in and then out by the same factor at the same point returns the original view', () => {
    const zin = zoomAt(start, 0.3, 0.7, 2.5, 1.8, limits);
    expect(zin.t1 - zin.t0).toBeLessThan(start.t1 - start.t0);
    expectViewClose(zoomAt(zin, 0.3, 0.7, 1 / 2.5, 1 / 1.8, limits), start);
  });

  it('a factor of 1 leaves that axis alone', () => {
    const next = zoomAt(start, 0.4, 0.4, 2, 1, limits);
    expect([next.r0, next.r1]).toEqual([start.r0, start.r1]);
    expect(next.t1 - next.t0).toBeCloseTo(1.8, 12);
  });

  it('never zooms out beyond the data extent', () => {
    expect(zoomAt(start, 0.2, 0.8, 1e-3, 1e-3, limits)).toEqual(fullView(limits.duration, limits.rows));
    // Near an edge, zooming out shifts the view back inside rather than past 0.
    const edge = zoomAt({ t0: 0.1, t1: 1.1, r0: 0, r1: 50 }, 0.5, 0.5, 0.5, 1, limits);
    expect(edge.t0).toBe(0);
    expectRelClose(edge.t1, 2);
    const end = zoomAt({ t0: 9, t1: 10, r0: 950, r1: 1000 }, 0.5, 0.5, 0.5, 0.5, limits);
    expect(end.t1).toBe(10);
    expect(end.r1).toBe(1000);
    expectRelClose(end.t0, 8);
    expect(end.r0).toBe(900);
  });

  it('never zooms in below the minimum spans, and keeps the cursor point fixed there', () => {
    const next = zoomAt(start, 0.25, 0.6, 1e9, 1e9, limits);
    expectRelClose(next.t1 - next.t0, limits.minSpanT, 1e-9);
    expectRelClose(next.r1 - next.r0, limits.minSpanR, 1e-12);
    const [t, r] = under(start, 0.25, 0.6);
    const [t2, r2] = under(next, 0.25, 0.6);
    expectRelClose(t2, t, 1e-12);
    expectRelClose(r2, r, 1e-12);
  });

  it('caps the minimum span at the extent when the data are smaller than it', () => {
    const tiny: ViewLimits = { duration: 0.0005, rows: 4, minSpanT: 0.001, minSpanR: 10 };
    expect(zoomAt(fullView(0.0005, 4), 0.5, 0.5, 8, 8, tiny)).toEqual(fullView(0.0005, 4));
  });

  it('rejects non-positive factors', () => {
    expect(() => zoomAt(start, 0.5, 0.5, 0, 1, limits)).toThrow(RangeError);
    expect(() => zoomAt(start, 0.5, 0.5, 1, -2, limits)).toThrow(RangeError);
  });
});

describe('panBy', () => {
  const v: View = { t0: 2, t1: 4, r0: 100, r1: 300 };

  it('moves by fractions of the visible span', () => {
    expect(panBy(v, 0.25, -0.1, limits)).toEqual({ t0: 2.5, t1: 4.5, r0: 80, r1: 280 });
  });

  it('stops at the data extent without changing the spans', () => {
    expect(panBy(v, -5, -5, limits)).toEqual({ t0: 0, t1: 2, r0: 0, r1: 200 });
    expect(panBy(v, 100, 100, limits)).toEqual({ t0: 8, t1: 10, r0: 800, r1: 1000 });
  });

  it('does nothing to the full view', () => {
    const full = fullView(limits.duration, limits.rows);
    expect(panBy(full, 0.3, -0.7, limits)).toEqual(full);
  });
});

describe('clampView', () => {
  it('repairs a view that is too wide, too narrow or outside the extent', () => {
    expect(clampView({ t0: -3, t1: 30, r0: -1, r1: 2000 }, limits)).toEqual(fullView(10, 1000));
    const narrow = clampView({ t0: 5, t1: 5, r0: 500, r1: 502 }, limits);
    expectRelClose(narrow.t1 - narrow.t0, limits.minSpanT);
    expect(narrow.t0).toBeCloseTo(5 - limits.minSpanT / 2, 12);
    expect([narrow.r0, narrow.r1]).toEqual([496, 506]);
    expect(clampView({ t0: -1, t1: 1, r0: 995, r1: 1005 }, limits)).toEqual({ t0: 0, t1: 2, r0: 990, r1: 1000 });
  });
});

describe('markHalfSize', () => {
  it('is minPx device pixels when rows are thinner than a pixel', () => {
    const [hx, hy] = markHalfSize(fullView(10, 100_000), 800, 500, 1.5);
    // A half size h in clip units spans h · size pixels in total (clip is 2 wide).
    expect(hx * 800).toBeCloseTo(1.5, 12);
    expect(hy * 500).toBeCloseTo(1.5, 12);
  });

  it('fills ROW_FILL of a row when rows are tall, never more than a row, and stays a thin tick', () => {
    const [hx, hy] = markHalfSize({ t0: 0, t1: 1, r0: 0, r1: 10 }, 800, 500, 1);
    const rowPx = 50;
    expect(hy * 500).toBeCloseTo(ROW_FILL * rowPx, 12);
    expect(hy * 500).toBeLessThanOrEqual(rowPx);
    expect(hx * 800).toBeCloseTo(2, 12);
  });

  it('scales with the zoom of the row axis', () => {
    const a = markHalfSize({ t0: 0, t1: 1, r0: 0, r1: 20 }, 800, 500, 1)[1];
    const b = markHalfSize({ t0: 0, t1: 1, r0: 0, r1: 10 }, 800, 500, 1)[1];
    expect(b / a).toBeCloseTo(2, 12);
  });
});
