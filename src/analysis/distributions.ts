/** Distribution functions used by the statistical tests. */

/**
 * Standard normal CDF Φ(z) via erfc with the rational approximation of Abramowitz & Stegun
 * (1964) 7.1.26 applied to |z|/√2 (absolute error < 1.5e-7), ample for goodness-of-fit tests
 * whose statistics are ~1e-3.
 */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-x * x);
  return z >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

export function uniformCdf(u: number): number {
  return u <= 0 ? 0 : u >= 1 ? 1 : u;
}
