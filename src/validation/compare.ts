/**
 * The comparisons the validation experiments share: sample means with standard errors, the
 * relative difference of two means with its standard error, per-trial stationary rates, and
 * PSD bands compared trial by trial.
 */
import { bandPerTrial, type Psd } from '../analysis/psd';
import { requireEveryTrial, type Recording } from '../model/recording';

export const sampleMean = (a: readonly number[]): number => (a.length === 0 ? NaN : a.reduce((s, v) => s + v, 0) / a.length);

/** Standard error of the mean; NaN below two samples (unknown, not zero). */
export function standardError(a: readonly number[]): number {
  if (a.length < 2) return NaN;
  const m = sampleMean(a);
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1) / a.length);
}

/**
 * |mb/ma − 1| and its first-order standard error hypot(mb·sa/ma², sb/ma) (also defined at mb = 0).
 * NaN when the reference mean is not positive.
 */
export function relativeDifference(ma: number, sa: number, mb: number, sb: number): { value: number; se: number } {
  if (!(ma > 0) || !Number.isFinite(mb)) return { value: NaN, se: NaN };
  return { value: Math.abs(mb / ma - 1), se: Math.hypot((mb * sa) / (ma * ma), sb / ma) };
}

/** relativeDifference of the means of two samples. */
export function relativeSampleDifference(a: readonly number[], b: readonly number[]): { value: number; se: number } {
  return relativeDifference(sampleMean(a), standardError(a), sampleMean(b), standardError(b));
}

/** Per-trial mean of a population's A_N from bin `from` on. */
export function trialRates(r: Recording, population: string, from: number): number[] {
  requireEveryTrial(r, `the per-trial rates of ${population}`);
  const a = r.activity[population];
  return Array.from({ length: r.trials }, (_, t) => {
    let s = 0;
    for (let k = from; k < r.bins; k++) s += a[t * r.bins + k];
    return s / (r.bins - from);
  });
}

/** The relative difference of the mean PSD over [lo, hi] Hz, trials as samples. */
export function bandDifference(ref: Psd, other: Psd, lo: number, hi: number): { value: number; se: number } {
  return relativeSampleDifference(bandPerTrial(ref, lo, hi), bandPerTrial(other, lo, hi));
}
