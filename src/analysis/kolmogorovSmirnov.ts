/**
 * Kolmogorov–Smirnov goodness-of-fit tests.
 * p-values from the asymptotic Kolmogorov distribution with Stephens' (1970) finite-n
 * correction λ = (√n + 0.12 + 0.11/√n) · D, accurate for n ≥ ~35.
 */

export interface KsResult {
  statistic: number;
  pValue: number;
  n: number;
}

/** Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²), the survival function of the Kolmogorov distribution. */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-16) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** One-sample test of `sample` against the continuous CDF `cdf`. Sorts a copy. */
export function ksOneSample(sample: ArrayLike<number>, cdf: (x: number) => number): KsResult {
  const n = sample.length;
  const sorted = Float64Array.from(sample).sort();
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  const sqrtN = Math.sqrt(n);
  return { statistic: d, pValue: kolmogorovSurvival((sqrtN + 0.12 + 0.11 / sqrtN) * d), n };
}

/** Two-sample test: are `a` and `b` drawn from the same continuous distribution? */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  const n = x.length;
  const m = y.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(x[i], y[j]);
    while (i < n && x[i] <= v) i++;
    while (j < m && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const ne = (n * m) / (n + m);
  const s = Math.sqrt(ne);
  return { statistic: d, pValue: kolmogorovSurvival((s + 0.12 + 0.11 / s) * d), n: n + m };
}
