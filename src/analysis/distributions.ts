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

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: relative error ~1e-15). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  // Reflection keeps the series where it converges.
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const y = x - 1;
  let s = c[0];
  for (let k = 1; k < 9; k++) s += c[k] / (y + k);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(s);
}

/**
 * The regularised incomplete beta function I_x(a, b), by the continued fraction of Numerical
 * Recipes (betacf, modified Lentz), on the side of x where it converges fast.
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let f = d;
  for (let m = 1; m <= 500; m++) {
    for (const num of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      f *= c * d;
    }
    if (Math.abs(c * d - 1) < 1e-15) break;
  }
  return (front * f) / a;
}

/** P(|T| > t) for Student's t with ν degrees of freedom. */
export function studentTwoSidedTail(t: number, nu: number): number {
  return incompleteBeta(nu / (nu + t * t), nu / 2, 0.5);
}

/** The t with P(|T| > t) = p for Student's t with ν degrees of freedom, p in (0, 1): by bisection. */
export function studentTwoSidedQuantile(p: number, nu: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTwoSidedQuantile: p = ${p} is not in (0, 1)`);
  if (!(nu > 0)) throw new RangeError(`studentTwoSidedQuantile: ν = ${nu} must be positive`);
  let lo = 0;
  let hi = 1;
  while (studentTwoSidedTail(hi, nu) > p) hi *= 2;
  for (let k = 0; k < 200 && hi - lo > 1e-12 * hi; k++) {
    const mid = 0.5 * (lo + hi);
    if (studentTwoSidedTail(mid, nu) > p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
