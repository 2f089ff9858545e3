/**
 * Welch power spectral density of the fluctuations of a time series, averaged over trials.
 *
 * Normalisation (one-sided, units² per Hz): for a segment x_0 … x_{L−1} sampled every Δ seconds,
 * Hann window w, P(f_k) = c_k Δ |Σ_n w_n x_n e^{−2πikn/L}|² / Σ_n w_n², f_k = k/(LΔ), with c_k = 2
 * for 0 < f_k < 1/(2Δ) and 1 at 0 and the Nyquist frequency, so that Σ_k P(f_k)/(LΔ) is the
 * variance of the windowed series (Parseval). Segments overlap by half; the across-trial mean μ(t)
 * is subtracted first, so the PSD is that of the trial-to-trial fluctuations. Subtracting a mean
 * estimated from T independent trials removes 1/T of their variance at every frequency, so the
 * estimate is multiplied by T/(T − 1): without that, two runs with different trial counts would
 * differ by |1/T₁ − 1/T₂| (2.4 % for 32 against 128 trials, which V5 showed before this fix).
 */
import { fftInPlace } from './fft';

export interface Psd {
  /** Frequencies (Hz). */
  f: Float64Array;
  /** Mean PSD over trials and segments. */
  power: Float64Array;
  /** Mean PSD of each trial (rows of f.length): for standard errors over trials. */
  perTrial: Float64Array;
}

/**
 * Welch PSD of rows `trials × bins` (row t at offset t·stride + offset) over bins [from, to),
 * segments of `segment` bins (a power of two), hop segment/2, after subtracting the trial mean.
 */
export function welchPsd(
  a: ArrayLike<number>,
  trials: number,
  stride: number,
  offset: number,
  from: number,
  to: number,
  segment: number,
  binSeconds: number,
): Psd {
  const hop = segment / 2;
  const starts: number[] = [];
  for (let s = from; s + segment <= to; s += hop) starts.push(s);
  if (starts.length === 0) throw new RangeError(`welchPsd: the window of ${to - from} bins is shorter than one segment of ${segment}`);
  const mean = new Float64Array(to - from);
  for (let t = 0; t < trials; t++) for (let k = from; k < to; k++) mean[k - from] += a[t * stride + offset + k] / trials;
  const w = Float64Array.from({ length: segment }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / segment));
  const wSq = w.reduce((s, v) => s + v * v, 0);
  const nf = segment / 2 + 1;
  const perTrial = new Float64Array(trials * nf);
  const unbias = trials > 1 ? trials / (trials - 1) : 1;
  const re = new Float64Array(segment);
  const im = new Float64Array(segment);
  for (let t = 0; t < trials; t++) {
    for (const s of starts) {
      for (let n = 0; n < segment; n++) {
        re[n] = w[n] * (a[t * stride + offset + s + n] - mean[s + n - from]);
        im[n] = 0;
      }
      fftInPlace(re, im);
      for (let k = 0; k < nf; k++) {
        const c = k === 0 || k === segment / 2 ? 1 : 2;
        perTrial[t * nf + k] += (unbias * c * binSeconds * (re[k] * re[k] + im[k] * im[k])) / wSq / starts.length;
      }
    }
  }
  const power = new Float64Array(nf);
  for (let t = 0; t < trials; t++) for (let k = 0; k < nf; k++) power[k] += perTrial[t * nf + k] / trials;
  const f = Float64Array.from({ length: nf }, (_, k) => k / (segment * binSeconds));
  return { f, power, perTrial };
}

/** Mean PSD in [fLo, fHi) per trial (for a band's mean and its standard error over trials). */
export function bandPerTrial(p: Psd, fLo: number, fHi: number): number[] {
  const nf = p.f.length;
  const ks: number[] = [];
  for (let k = 0; k < nf; k++) if (p.f[k] >= fLo && p.f[k] < fHi) ks.push(k);
  if (ks.length === 0) throw new RangeError(`no frequency of the PSD lies in [${fLo}, ${fHi}) Hz`);
  const trials = p.perTrial.length / nf;
  return Array.from({ length: trials }, (_, t) => ks.reduce((s, k) => s + p.perTrial[t * nf + k], 0) / ks.length);
}

/** The standard error of the mean PSD at each frequency, from the spread of the per-trial PSDs (NaN with fewer than 2 trials). */
export function psdStandardError(p: Psd): Float64Array {
  const nf = p.f.length;
  const trials = p.perTrial.length / nf;
  const se = new Float64Array(nf).fill(Number.NaN);
  if (trials < 2) return se;
  for (let k = 0; k < nf; k++) {
    let ss = 0;
    for (let t = 0; t < trials; t++) ss += (p.perTrial[t * nf + k] - p.power[k]) ** 2;
    se[k] = Math.sqrt(ss / (trials - 1) / trials);
  }
  return se;
}
