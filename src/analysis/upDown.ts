/**
 * Up/Down segmentation of a bistable population's activity (docs/validation/plan.md V3): the activity is
 * smoothed with a boxcar and assigned to a state with two thresholds (hysteresis), so that the
 * fluctuations within a state do not count as switches. The network enters Up when the smoothed
 * activity rises above `high` and leaves it when it falls below `low`.
 *
 * A dwell time is the length of a complete period: the first period of each trial (whose start
 * the recording does not see) and the last one (cut by the end of the run) are not dwell times,
 * though their bins count toward the activity in each state.
 */

export interface UpDownOptions {
  /** Seconds per bin of the activity. */
  binSeconds: number;
  /** Width of the boxcar in bins. */
  smoothBins: number;
  /** Enter Up above this smoothed activity (Hz). */
  high: number;
  /** Leave Up below this smoothed activity (Hz). */
  low: number;
  /** Bins at the start of each trial that are not analysed (the initial transient). */
  skipBins?: number;
}

export interface UpDownPeriod {
  up: boolean;
  /** Bin indices [start, end) within the trial. */
  start: number;
  end: number;
  /** Mean of the raw (unsmoothed) activity over the period (Hz). */
  activity: number;
  /** Both ends seen: a dwell time. */
  complete: boolean;
}

export interface UpDownSegmentation {
  /** Periods per trial, in time order. */
  periods: UpDownPeriod[][];
  /** Dwell times (s) of the complete periods of all trials. */
  upDwell: number[];
  downDwell: number[];
}

/** Segments `activity` ([trials × bins], Hz) into Up and Down periods. */
export function segmentUpDown(activity: ArrayLike<number>, trials: number, bins: number, o: UpDownOptions): UpDownSegmentation {
  if (!(o.high > o.low)) throw new Error(`segmentUpDown: high (${o.high} Hz) must exceed low (${o.low} Hz)`);
  const skip = Math.max(0, Math.floor(o.skipBins ?? 0));
  const periods: UpDownPeriod[][] = [];
  const upDwell: number[] = [];
  const downDwell: number[] = [];
  for (let t = 0; t < trials; t++) {
    const raw = Float64Array.from({ length: bins }, (_, k) => activity[t * bins + k]);
    const smooth = boxcarSmooth(raw, o.smoothBins);
    const out: UpDownPeriod[] = [];
    if (skip < bins) {
      // The state at the first analysed bin: the side of the midpoint between the thresholds.
      let up = smooth[skip] >= 0.5 * (o.low + o.high);
      let start = skip;
      let sum = 0;
      const close = (end: number, complete: boolean) => out.push({ up, start, end, activity: sum / (end - start), complete });
      for (let k = skip; k < bins; k++) {
        const switches = up ? smooth[k] < o.low : smooth[k] > o.high;
        if (switches) {
          close(k, start > skip);
          up = !up;
          start = k;
          sum = 0;
        }
        sum += raw[k];
      }
      close(bins, false);
    }
    for (const p of out) if (p.complete) (p.up ? upDwell : downDwell).push((p.end - p.start) * o.binSeconds);
    periods.push(out);
  }
  return { periods, upDwell, downDwell };
}

/**
 * The time-averaged activity in one state over all periods (complete or not), with a standard
 * error that treats the periods as independent samples (the ratio estimator Σa_i d_i / Σd_i).
 */
export function stateActivity(seg: UpDownSegmentation, up: boolean): { mean: number; se: number; periods: number } {
  const ps = seg.periods.flat().filter((p) => p.up === up && p.end > p.start);
  const D = ps.reduce((s, p) => s + (p.end - p.start), 0);
  if (ps.length === 0 || D === 0) return { mean: NaN, se: NaN, periods: 0 };
  const mean = ps.reduce((s, p) => s + p.activity * (p.end - p.start), 0) / D;
  const ss = ps.reduce((s, p) => s + ((p.end - p.start) * (p.activity - mean)) ** 2, 0);
  const n = ps.length;
  return { mean, se: n > 1 ? Math.sqrt((ss * n) / (n - 1)) / D : NaN, periods: n };
}

/** A centred moving average over `w` bins (rounded up to an odd count; fewer at the ends, where the window is cut). */
export function boxcarSmooth(a: ArrayLike<number>, w: number): Float64Array {
  const n = a.length;
  const half = Math.floor(Math.max(1, Math.floor(w)) / 2);
  const width = 2 * half + 1;
  const prefix = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) prefix[k + 1] = prefix[k] + a[k];
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const lo = Math.max(0, k - half);
    const hi = Math.min(n, k - half + width);
    out[k] = (prefix[hi] - prefix[lo]) / (hi - lo);
  }
  return out;
}

/**
 * A filter for interspikeIntervalCv: true when both spikes of an interval (times in s) fall in one
 * period of the given state, so that the CV measures the firing within that state and not the
 * switches between states. Periods are found by bisection (a run has thousands of them).
 */
export function withinState(seg: UpDownSegmentation, binSeconds: number, up: boolean): (trial: number, a: number, b: number) => boolean {
  return (trial, a, b) => {
    const ps = seg.periods[trial];
    if (ps === undefined) return false;
    const bin = Math.floor(a / binSeconds);
    // The last period that starts at or before the first spike's bin.
    let lo = 0;
    let hi = ps.length - 1;
    if (hi < 0 || ps[0].start > bin) return false;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ps[mid].start <= bin) lo = mid;
      else hi = mid - 1;
    }
    const p = ps[lo];
    return p.up === up && bin < p.end && Math.floor(b / binSeconds) < p.end;
  };
}
