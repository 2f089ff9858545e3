/**
 * Tick values a reader can read on a logarithmic axis: 1, 2 and 5 times the powers of ten
 * (0.1, 0.2, 0.5, 1, 2, 5, …) over a few decades, whole decades over more, every k-th decade over
 * many. Vega's own log ticks label 1–9 of every decade or drop to one label on a short axis;
 * these stay between about 3 and 12 labels whatever the span.
 */

const FEW = 3;

/** Ticks of a linear axis at 1, 2 or 5 × 10^k steps, for spans too short for any log ticks. */
function linearTicks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / count;
  const decade = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * decade).find((s) => s >= raw) ?? 10 * decade;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi * (1 + 1e-12); v += step) if (v > 0) out.push(+v.toPrecision(12));
  return out;
}

/** Readable tick values within [lo, hi] (0 < lo < hi). */
export function logTicks(lo: number, hi: number): number[] {
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const decades = Math.log10(hi / lo);
  const mantissas = decades <= 4 ? [1, 2, 5] : [1];
  const every = decades <= 10 ? 1 : Math.ceil(decades / 8);
  const out: number[] = [];
  for (let e = first; e <= last; e++) {
    if ((e - first) % every !== 0) continue;
    for (const m of mantissas) {
      const v = +(m * 10 ** e).toPrecision(12);
      if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)) out.push(v);
    }
  }
  return out.length >= FEW ? out : linearTicks(lo, hi);
}
