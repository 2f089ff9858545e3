/**
 * Statistics across trials of one recorded quantity, a [trials × rows × bins] array (rows: the
 * sampled neurons of an input, else 1): per row and bin the trial mean and M2, the sum of squared
 * deviations from it; and the same of each trial's average over all its rows and bins, which is
 * what the standard error of a run-wide mean needs (bins are correlated, so it does not follow
 * from the per-bin variances).
 *
 * Parts over disjoint trials (worker ranges, GPU batches, batches of trials) merge with the
 * pairwise update of Chan, Golub & LeVeque (1983, "Algorithms for computing the sample variance:
 * analysis and recommendations"), in float64: M2 is never formed as Σx² − n·mean², which loses
 * every digit when the spread is small against the mean (an input of 20 mV that varies by 1 µV).
 */

export interface MeanM2 {
  count: number;
  mean: number;
  m2: number;
}

export interface TrialStats {
  /** Trials the statistics are over. */
  count: number;
  rows: number;
  bins: number;
  /** Trial mean per row and bin, [rows × bins]. */
  mean: Float64Array;
  /** Σ over trials of (x − mean)² per row and bin, [rows × bins]; the unbiased variance is m2 / (count − 1). */
  m2: Float64Array;
  /**
   * Each trial's average over its rows and bins: their mean and M2 across trials. NaN when the
   * statistics were cut to fewer bins than the averages were taken over (a merge of parts that a
   * cancel stopped at different steps): the averages of the shorter range are not known then.
   */
  average: { mean: number; m2: number };
}

/** Mean and M2 of a list of numbers, by two passes with the correction term (exact to rounding in float64). */
export function meanM2(values: ArrayLike<number>): MeanM2 {
  const n = values.length;
  if (n === 0) return { count: 0, mean: NaN, m2: NaN };
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const mean = s / n;
  let d = 0;
  let d2 = 0;
  for (let i = 0; i < n; i++) {
    const e = values[i] - mean;
    d += e;
    d2 += e * e;
  }
  return { count: n, mean, m2: d2 - (d * d) / n };
}

/** Chan et al.'s update: the mean and M2 of two disjoint samples together. */
export function mergeMeanM2(a: MeanM2, b: MeanM2): MeanM2 {
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  const n = a.count + b.count;
  const delta = b.mean - a.mean;
  return { count: n, mean: a.mean + (delta * b.count) / n, m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / n };
}

/**
 * The statistics of `trials` trials of a [trials × rows × bins] array (trial t, row r, bin k at
 * (t·rows + r)·bins + k): two passes per row and bin, float64.
 */
export function statsFromTrials(a: ArrayLike<number>, trials: number, rows: number, bins: number): TrialStats {
  const width = rows * bins;
  if (a.length < trials * width) throw new RangeError(`statsFromTrials: ${a.length} values cannot hold ${trials} trials × ${rows} rows × ${bins} bins`);
  const mean = new Float64Array(width);
  const m2 = new Float64Array(width);
  const averages = new Float64Array(trials);
  for (let t = 0; t < trials; t++) {
    const o = t * width;
    let s = 0;
    for (let i = 0; i < width; i++) {
      mean[i] += a[o + i];
      s += a[o + i];
    }
    averages[t] = width > 0 ? s / width : NaN;
  }
  for (let i = 0; i < width; i++) mean[i] = trials > 0 ? mean[i] / trials : NaN;
  const dev = new Float64Array(width);
  for (let t = 0; t < trials; t++) {
    const o = t * width;
    for (let i = 0; i < width; i++) {
      const e = a[o + i] - mean[i];
      dev[i] += e;
      m2[i] += e * e;
    }
  }
  if (trials > 0) for (let i = 0; i < width; i++) m2[i] -= (dev[i] * dev[i]) / trials;
  const avg = meanM2(averages);
  return { count: trials, rows, bins, mean, m2, average: { mean: avg.mean, m2: avg.m2 } };
}

/** The statistics of no trial: the identity of mergeTrialStats. */
export function emptyTrialStats(rows: number, bins: number): TrialStats {
  return { count: 0, rows, bins, mean: new Float64Array(rows * bins).fill(NaN), m2: new Float64Array(rows * bins).fill(NaN), average: { mean: NaN, m2: NaN } };
}

/** The first `bins` bins of every row (the run-wide averages become unknown when bins are dropped). */
export function cutTrialStats(s: TrialStats, bins: number): TrialStats {
  if (bins === s.bins) return s;
  if (bins > s.bins) throw new RangeError(`cutTrialStats: cannot extend ${s.bins} bins to ${bins}`);
  const cut = (a: Float64Array) => {
    const out = new Float64Array(s.rows * bins);
    for (let r = 0; r < s.rows; r++) out.set(a.subarray(r * s.bins, r * s.bins + bins), r * bins);
    return out;
  };
  return { count: s.count, rows: s.rows, bins, mean: cut(s.mean), m2: cut(s.m2), average: { mean: NaN, m2: NaN } };
}

/** The statistics of disjoint sets of trials together (Chan et al.'s update, bin by bin, in float64). */
export function mergeTrialStats(a: TrialStats, b: TrialStats): TrialStats {
  if (a.rows !== b.rows || a.bins !== b.bins) throw new RangeError(`mergeTrialStats: ${a.rows} × ${a.bins} and ${b.rows} × ${b.bins} do not match`);
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  const n = a.count + b.count;
  const wb = b.count / n;
  const cross = (a.count * b.count) / n;
  const mean = new Float64Array(a.mean.length);
  const m2 = new Float64Array(a.mean.length);
  for (let i = 0; i < mean.length; i++) {
    const delta = b.mean[i] - a.mean[i];
    mean[i] = a.mean[i] + delta * wb;
    m2[i] = a.m2[i] + b.m2[i] + delta * delta * cross;
  }
  const avg = mergeMeanM2({ count: a.count, ...a.average }, { count: b.count, ...b.average });
  return { count: n, rows: a.rows, bins: a.bins, mean, m2, average: { mean: avg.mean, m2: avg.m2 } };
}

/** The statistics of c·x (activity counts to Hz). */
export function scaleTrialStats(s: TrialStats, c: number): TrialStats {
  return {
    ...s,
    mean: s.mean.map((v) => v * c),
    m2: s.m2.map((v) => v * c * c),
    average: { mean: s.average.mean * c, m2: s.average.m2 * c * c },
  };
}

/** The unbiased trial variance of entry i (row·bins + bin); NaN below two trials. */
export function trialVariance(s: TrialStats, i: number): number {
  return s.count > 1 ? Math.max(0, s.m2[i]) / (s.count - 1) : NaN;
}

/** The run-wide mean (over rows and bins, i.e. of the trials' averages) and its standard error across trials (null below two trials or when unknown). */
export function runAverage(s: TrialStats): { mean: number; sem: number | null } {
  let sum = 0;
  for (let i = 0; i < s.mean.length; i++) sum += s.mean[i];
  const mean = s.mean.length > 0 && s.count > 0 ? sum / s.mean.length : NaN;
  const m2 = s.average.m2;
  const sem = s.count > 1 && Number.isFinite(m2) ? Math.sqrt(Math.max(0, m2) / (s.count - 1) / s.count) : null;
  return { mean, sem };
}
