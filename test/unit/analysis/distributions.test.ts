/** Student's t for small-sample bounds (src/analysis/distributions.ts), against values from scipy.stats 1.10. */
import { describe, expect, it } from 'vitest';
import { incompleteBeta, logGamma, normalCdf, studentTwoSidedQuantile, studentTwoSidedTail } from '../../../src/analysis/distributions';

describe("Student's t", () => {
  it('ln Γ and the incomplete beta function', () => {
    expect(logGamma(0.3)).toBeCloseTo(1.0957979948180756, 12);
    expect(logGamma(10.5)).toBeCloseTo(13.940625219403763, 11);
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(incompleteBeta(0.3, 2.5, 0.5)).toBeCloseTo(0.01892712407194565, 13);
    expect(incompleteBeta(0.9, 2.5, 0.5) + incompleteBeta(0.1, 0.5, 2.5)).toBeCloseTo(1, 13);
  });

  it('two-sided tails: scipy.stats.t.sf(3, ν)·2', () => {
    const want: [number, number][] = [
      [1, 0.20483276469913345],
      [5, 0.03009924789746257],
      [39, 0.004686567940364684],
      [78, 0.0036232044206520194],
      [1000, 0.0027667090442381878],
    ];
    for (const [nu, p] of want) expect(studentTwoSidedTail(3, nu) / p - 1, `ν = ${nu}`).toBeLessThan(1e-10);
    // Many degrees of freedom: the normal tail (normalCdf's own error is ~1e-7).
    expect(studentTwoSidedTail(3, 1e7)).toBeCloseTo(2 * (1 - normalCdf(3)), 6);
  });

  it('quantiles: scipy.stats.t.ppf(1 − 0.01/44, ν)', () => {
    expect(studentTwoSidedQuantile(0.01 / 22, 5)).toBeCloseTo(8.139295251685537, 8);
    expect(studentTwoSidedQuantile(0.01 / 22, 39)).toBeCloseTo(3.8293128395421316, 8);
    expect(studentTwoSidedQuantile(0.01 / 22, 78)).toBeCloseTo(3.661499431960054, 8);
    expect(studentTwoSidedQuantile(0.01 / 22, 1)).toBeCloseTo(1400.563261209133, 4);
    expect(() => studentTwoSidedQuantile(0, 5)).toThrow(/p = 0/);
  });
});
