/** Pearson χ² of binomial draws against the exact probabilities, for the samplers' tests (not a test file). */
import { expect } from 'vitest';
import { lnFactorial } from '../../src/meso/binomial';

/** ln C(n, k) + k ln p + (n − k) ln q. */
export function lnBinomialPmf(n: number, p: number, k: number): number {
  return lnFactorial(n) - lnFactorial(k) - lnFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/**
 * 0.999 quantile of chi-square with df degrees of freedom by the Wilson–Hilferty approximation:
 * (X/df)^(1/3) is close to normal with mean 1 − 2/(9df) and variance 2/(9df). It errs high by
 * about 1% at df = 5 and less beyond, which makes the tests slightly lenient, never flaky.
 */
export function chiSquareQuantile999(df: number): number {
  const z = 3.090232306167813; // standard normal 0.999 quantile
  const h = 2 / (9 * df);
  return df * (1 - h + z * Math.sqrt(h)) ** 3;
}

/**
 * Pearson chi-square of `total` draws of Binomial(n, p) counted in `counts` (k → how often), over
 * k ∈ [lo, hi] (15 standard deviations either side of the mean, the rest having probability below
 * 1e-45, and no draw may fall outside), merging neighbouring cells until each expects ≥ 5.
 */
export function binomialChiSquare(n: number, p: number, counts: Map<number, number>, total: number): { statistic: number; df: number } {
  const sd = Math.sqrt(n * p * (1 - p));
  const lo = Math.max(0, Math.floor(n * p - 15 * sd - 10));
  const hi = Math.min(n, Math.ceil(n * p + 15 * sd + 10));
  for (const k of counts.keys()) {
    expect(k).toBeGreaterThanOrEqual(lo);
    expect(k).toBeLessThanOrEqual(hi);
  }
  const observed: number[] = [];
  const expected: number[] = [];
  let accObserved = 0;
  let accExpected = 0;
  for (let k = lo; k <= hi; k++) {
    accObserved += counts.get(k) ?? 0;
    accExpected += total * Math.exp(lnBinomialPmf(n, p, k));
    if (accExpected >= 5) {
      observed.push(accObserved);
      expected.push(accExpected);
      accObserved = 0;
      accExpected = 0;
    }
  }
  observed[observed.length - 1] += accObserved;
  expected[expected.length - 1] += accExpected;
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) statistic += (observed[i] - expected[i]) ** 2 / expected[i];
  return { statistic, df: observed.length - 1 };
}
