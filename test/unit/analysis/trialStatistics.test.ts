/** The noise-corrected relative RMS distance of trial curves: ≈ 0 for equal processes, the bias otherwise. */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { compareCurves, trialCurves, type Series } from '../../../src/analysis/trialStatistics';

/** trials × bins samples of μ(t) + s(t)·ξ with a common time course. */
function series(trials: number, bins: number, meanScale: number, sdScale: number, seed: string): Series {
  const rng = seedrandom(seed);
  const a = new Float64Array(trials * bins);
  for (let t = 0; t < trials; t++) {
    for (let k = 0; k < bins; k++) {
      const mu = meanScale * (1 + 0.5 * Math.sin((2 * Math.PI * k) / bins));
      const s = sdScale * (0.5 + k / bins);
      const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
      a[t * bins + k] = mu + s * z;
    }
  }
  return { a, trials, stride: bins, offset: 0, bins };
}

describe('compareCurves', () => {
  it('trialCurves gives the per-bin mean and unbiased s.d.', () => {
    const s: Series = { a: [1, 2, 3, 5], trials: 2, stride: 2, offset: 0, bins: 2 };
    const c = trialCurves(s);
    expect(Array.from(c.mean)).toEqual([2, 3.5]);
    expect(c.sd[0]).toBeCloseTo(Math.SQRT2, 12);
    expect(c.sd[1]).toBeCloseTo(1.5 * Math.SQRT2, 12);
  });

  it('two samples of one process: the raw distance is the noise floor, the corrected one ≈ 0', () => {
    const c = compareCurves(series(400, 300, 1, 0.5, 'a'), series(300, 300, 1, 0.5, 'b'), 0, 300, 40, 'same');
    for (const q of ['mean', 'sd'] as const) {
      expect(c[q].raw / c[q].floor).toBeGreaterThan(0.85);
      expect(c[q].raw / c[q].floor).toBeLessThan(1.15);
      expect(c[q].corrected).toBeLessThanOrEqual(3 * c[q].se + 0.15 * c[q].floor);
    }
  });

  it('a 5 % bias of the mean and a 10 % bias of the s.d. are recovered within 3 standard errors', () => {
    const c = compareCurves(series(2000, 300, 1, 0.5, 'c'), series(2000, 300, 1.05, 0.55, 'd'), 0, 300, 40, 'biased');
    expect(Math.abs(c.mean.corrected - 0.05)).toBeLessThan(3 * c.mean.se + 0.003);
    expect(Math.abs(c.sd.corrected - 0.1)).toBeLessThan(3 * c.sd.se + 0.005);
    expect(c.mean.floor).toBeLessThan(0.02);
  });
});
