/** The shared comparisons of the validation experiments. */
import { describe, expect, it } from 'vitest';
import { relativeDifference, relativeSampleDifference, sampleMean, standardError } from '../../../src/validation/compare';

describe('validation comparisons', () => {
  it('standard error of the mean; unknown (NaN) below two samples', () => {
    expect(sampleMean([1, 2, 3, 6])).toBe(3);
    expect(standardError([1, 2, 3, 6])).toBeCloseTo(Math.sqrt(14 / 3 / 4), 14);
    expect(standardError([5])).toBeNaN();
    expect(sampleMean([])).toBeNaN();
  });

  it('relative difference: |mb/ma − 1| with the first-order error of the ratio, defined at mb = 0', () => {
    const r = relativeDifference(10, 0.1, 11, 0.2);
    expect(r.value).toBeCloseTo(0.1, 14);
    expect(r.se).toBeCloseTo(Math.hypot(0.011, 0.02), 14);
    expect(relativeDifference(10, 0.1, 0, 0)).toEqual({ value: 1, se: 0 });
    expect(relativeDifference(0, 0.1, 1, 0.1).value).toBeNaN();
  });

  it('the first-order error matches the spread of the ratio of two noisy means (Monte Carlo, 20 000 draws, 5 %)', () => {
    let s = 7;
    const normal = () => {
      // Box–Muller on a fixed-seed LCG: reproducible.
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const u = (s + 0.5) / 2 ** 32;
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const v = (s + 0.5) / 2 ** 32;
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    };
    const ratios: number[] = [];
    for (let i = 0; i < 20000; i++) ratios.push((12 + 0.24 * normal()) / (10 + 0.15 * normal()));
    const m = sampleMean(ratios);
    const sd = Math.sqrt(ratios.reduce((a, r) => a + (r - m) ** 2, 0) / (ratios.length - 1));
    expect(Math.abs(relativeDifference(10, 0.15, 12, 0.24).se / sd - 1)).toBeLessThan(0.05);
    expect(relativeSampleDifference([9, 10, 11], [9, 10, 11]).value).toBe(0);
  });
});
