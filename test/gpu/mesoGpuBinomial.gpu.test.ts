/**
 * The meso-gpu engine's binomial sampler (src/meso/gpu/kernels/binomial.wgsl) against the exact
 * probabilities: Pearson χ² over cells merged to ≥ 5 expected draws, at the 0.999 quantile (fixed
 * seeds: a failure is a real deviation, not bad luck, one time in a thousand per case at most), and
 * the mean and variance within 5 standard errors. The cases cover inversion (n·p < 10), BTRS, the
 * switch between them, p > ½ by symmetry, large n and the edges.
 */
import { describe, expect, it } from 'vitest';
import { binomialDraws } from '../../src/meso/gpu/kernels/binomialDraws';
import { binomialChiSquare, chiSquareQuantile999 } from '../support/binomialChiSquare';
import { testGpu } from '../support/gpu';

function countsOf(draws: Uint32Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (const k of draws) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

const SEED = 20261201;
const DRAWS = 400_000;

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
    const { statistic, df } = binomialChiSquare(n, pf, countsOf(draws), draws.length);
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
