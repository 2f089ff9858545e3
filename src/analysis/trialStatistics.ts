/**
 * Time-resolved statistics across trials, and how far apart two such curves are once their
 * sampling noise is accounted for (docs/validation/plan.md: the uncertainty must sit well below the tolerance).
 *
 * A series is a [trials × rows × bins] array and one row of it (e.g. the input into neuron 0).
 * The relative RMS distance of two curves c_a(t), c_r(t) (trial mean or trial s.d.) is
 *   raw = √(mean_t (c_a − c_r)²) / √(mean_t c_r²).
 * Both curves are estimates from finitely many trials, so raw² is biased upwards by
 *   floor² = mean_t (Var ĉ_a(t) + Var ĉ_r(t)) / mean_t c_r²,
 * the per-bin sampling variances estimated by bootstrapping the trials of each series. The
 * reported distance is corrected = √max(0, raw² − floor²), with a standard error from the spread
 * of raw² over the bootstrap resamples. A comparison resolves a tolerance τ only when floor < τ/2.
 */
import seedrandom from 'seedrandom';

export interface Series {
  a: ArrayLike<number>;
  trials: number;
  /** Elements per trial, and the offset of the row within a trial (rows × bins layout). */
  stride: number;
  offset: number;
  bins: number;
}

export interface Curves {
  mean: Float64Array;
  sd: Float64Array;
}

/** Trial mean and (unbiased) trial s.d. per bin, over the given trials (default all). */
export function trialCurves(s: Series, pick?: ArrayLike<number>): Curves {
  const idx = pick ?? Array.from({ length: s.trials }, (_, t) => t);
  const n = idx.length;
  const mean = new Float64Array(s.bins);
  const sd = new Float64Array(s.bins);
  for (let q = 0; q < n; q++) {
    const base = idx[q] * s.stride + s.offset;
    for (let k = 0; k < s.bins; k++) mean[k] += s.a[base + k];
  }
  for (let k = 0; k < s.bins; k++) mean[k] /= n;
  for (let q = 0; q < n; q++) {
    const base = idx[q] * s.stride + s.offset;
    for (let k = 0; k < s.bins; k++) {
      const d = s.a[base + k] - mean[k];
      sd[k] += d * d;
    }
  }
  for (let k = 0; k < s.bins; k++) sd[k] = Math.sqrt(sd[k] / Math.max(1, n - 1));
  return { mean, sd };
}

export interface CurveDistance {
  raw: number;
  floor: number;
  corrected: number;
  /** Standard error of `corrected`. */
  se: number;
}

export interface Comparison {
  mean: CurveDistance;
  sd: CurveDistance;
}

function rmsRatio(x: Float64Array, ref: Float64Array, from: number, to: number): { num: number; den: number } {
  let num = 0;
  let den = 0;
  for (let k = from; k < to; k++) {
    num += (x[k] - ref[k]) ** 2;
    den += ref[k] ** 2;
  }
  return { num: num / (to - from), den: den / (to - from) };
}

/**
 * Relative RMS distances of the trial-mean and trial-s.d. curves of `other` from those of `ref`
 * over bins [from, to), with bootstrap noise floors (B resamples, fixed seed).
 */
export function compareCurves(ref: Series, other: Series, from: number, to: number, B = 40, seed = 'compareCurves'): Comparison {
  const rng = seedrandom(seed);
  const full = { r: trialCurves(ref), o: trialCurves(other) };
  const bins = ref.bins;
  const acc = (s: Series) => ({
    s,
    sum: { mean: new Float64Array(bins), sd: new Float64Array(bins) },
    sq: { mean: new Float64Array(bins), sd: new Float64Array(bins) },
  });
  const r = acc(ref);
  const o = acc(other);
  const rawSq = { mean: [] as number[], sd: [] as number[] };
  const resample = (x: ReturnType<typeof acc>): Curves => {
    const pick = Array.from({ length: x.s.trials }, () => Math.floor(rng() * x.s.trials));
    const c = trialCurves(x.s, pick);
    for (const q of ['mean', 'sd'] as const) {
      for (let k = 0; k < bins; k++) {
        x.sum[q][k] += c[q][k];
        x.sq[q][k] += c[q][k] ** 2;
      }
    }
    return c;
  };
  for (let b = 0; b < B; b++) {
    const cr = resample(r);
    const co = resample(o);
    for (const q of ['mean', 'sd'] as const) {
      const { num, den } = rmsRatio(co[q], cr[q], from, to);
      rawSq[q].push(num / den);
    }
  }
  const distance = (q: 'mean' | 'sd'): CurveDistance => {
    const { num, den } = rmsRatio(full.o[q], full.r[q], from, to);
    let noise = 0;
    for (let k = from; k < to; k++) {
      const vr = r.sq[q][k] / B - (r.sum[q][k] / B) ** 2;
      const vo = o.sq[q][k] / B - (o.sum[q][k] / B) ** 2;
      noise += (vr + vo) * (B / (B - 1));
    }
    const floorSq = noise / (to - from) / den;
    const rawSqFull = num / den;
    const m = rawSq[q].reduce((a, v) => a + v, 0) / B;
    const seSq = Math.sqrt(rawSq[q].reduce((a, v) => a + (v - m) ** 2, 0) / (B - 1));
    const correctedSq = rawSqFull - floorSq;
    const corrected = Math.sqrt(Math.max(0, correctedSq));
    // δ(√y) = δy/(2√y); where the corrected square is near 0 its square-root scale takes over.
    const se = corrected > 0 ? Math.min(Math.sqrt(seSq), seSq / (2 * corrected)) : Math.sqrt(seSq);
    return { raw: Math.sqrt(rawSqFull), floor: Math.sqrt(Math.max(0, floorSq)), corrected, se };
  };
  return { mean: distance('mean'), sd: distance('sd') };
}
