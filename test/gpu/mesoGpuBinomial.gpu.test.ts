/**
 * The meso-gpu engine's binomial sampler (src/meso/gpu/kernels/binomial.wgsl) against the exact
 * probabilities: Pearson χ² over cells merged to ≥ 5 expected draws, at the 0.999 quantile (fixed
 * seeds: a failure is a real deviation, not bad luck, one time in a thousand per case at most), and
 * the mean and variance within 5 standard errors. The cases cover inversion (n·p < 10), BTRS, the
 * switch between them, p > ½ by symmetry, large n and the edges.
 */
import { describe, expect, it } from 'vitest';
import { lnFactorial } from '../../src/meso/binomial';
import { binomialDraws } from '../../src/meso/gpu/kernels/binomialDraws';
import { testGpu } from '../support/gpu';

const SEED = 20261201;
const DRAWS = 400_000;

/** ln C(n, k) + k ln p + (n − k) ln q. */
function lnBinomialPmf(n: number, p: number, k: number): number {
  return lnFactorial(n) - lnFactorial(k) - lnFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/** 0.999 quantile of χ² with df degrees of freedom (Wilson–Hilferty; errs high by ~1 % at df = 5, lenient, never flaky). */
function chiSquareQuantile999(df: number): number {
  const z = 3.090232306167813;
  const h = 2 / (9 * df);
  return df * (1 - h + z * Math.sqrt(h)) ** 3;
}

/** Pearson χ² over k ∈ [lo, hi] (15 s.d. either side of the mean), neighbouring cells merged until each expects ≥ 5. */
function chiSquare(n: number, p: number, draws: Uint32Array): { statistic: number; df: number } {
  const sd = Math.sqrt(n * p * (1 - p));
  const lo = Math.max(0, Math.floor(n * p - 15 * sd - 10));
  const hi = Math.min(n, Math.ceil(n * p + 15 * sd + 10));
  const counts = new Map<number, number>();
  for (const k of draws) counts.set(k, (counts.get(k) ?? 0) + 1);
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
    accExpected += draws.length * Math.exp(lnBinomialPmf(n, p, k));
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

describe('meso-gpu binomial sampler', () => {
  it.each([
    [5, 0.3, 'inversion'],
    [500, 0.002, 'inversion, small p'],
    [40, 0.2, 'inversion, n·p just below 10'],
    [40, 0.25, 'BTRS, n·p = 10'],
    [40, 0.5, 'BTRS'],
    [1000, 0.02, 'BTRS'],
    [1000, 0.3, 'BTRS'],
    [100000, 0.01, 'BTRS, large n'],
    [200, 0.9, 'BTRS by symmetry'],
    [10, 0.95, 'inversion by symmetry'],
  ] as const)('Binomial(%d, %d) (%s): χ², mean and variance', async (n, p, _method) => {
    const gpu = await testGpu();
    // The engine passes p as float32: the distribution sampled is Binomial(n, fround(p)).
    const pf = Math.fround(p);
    const draws = await binomialDraws(gpu, n, pf, DRAWS, SEED, n);
    const { statistic, df } = chiSquare(n, pf, draws);
    expect(df).toBeGreaterThanOrEqual(3);
    expect(statistic).toBeLessThan(chiSquareQuantile999(df));
    let sum = 0;
    let sumSq = 0;
    for (const k of draws) {
      sum += k;
      sumSq += k * k;
    }
    const mean = sum / DRAWS;
    const variance = (sumSq - DRAWS * mean * mean) / (DRAWS - 1);
    const q = 1 - pf;
    const exactVariance = n * pf * q;
    const mu4 = exactVariance * (1 + 3 * pf * q * (n - 2));
    expect(Math.abs(mean - n * pf)).toBeLessThan(5 * Math.sqrt(exactVariance / DRAWS));
    expect(Math.abs(variance - exactVariance)).toBeLessThan(5 * Math.sqrt((mu4 - exactVariance ** 2) / DRAWS));
  });

  it('edges: p = 0 gives 0, p = 1 gives n, n = 0 gives 0', async () => {
    const gpu = await testGpu();
    expect([...(await binomialDraws(gpu, 50, 0, 64, SEED))].every((k) => k === 0)).toBe(true);
    expect([...(await binomialDraws(gpu, 50, 1, 64, SEED))].every((k) => k === 50)).toBe(true);
    expect([...(await binomialDraws(gpu, 0, 0.5, 64, SEED))].every((k) => k === 0)).toBe(true);
  });
});
