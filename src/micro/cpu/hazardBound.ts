/**
 * An exact shortcut for the escape-noise spike test of the CPU engine (neurons.ts). A GLIF neuron
 * spikes when u < 1 − exp(−dt/2 · c · (e^{a₀} + e^{a₁})), a = (V − θ)/Δu at both ends of the
 * step. Far below threshold that probability is tiny and almost every draw u exceeds it, yet the
 * test costs two exponentials and an expm1 (most of the GLIF step in the profile of docs/benchmarks.md). Since 1 − e^{−y} ≤ y
 * and e^{a} ≤ 1/expNegLowerBound(a), a draw u ≥ dt/2 · c · (1/D(a₀) + 1/D(a₁)) can never spike:
 * the engine skips the exponentials there, and its decisions, spike for spike, are those of the
 * full test (test/unit/microCpu/hazardBound.test.ts).
 */

/**
 * Relative margin over the bound's own rounding (a few float64 ulps) and that of the full
 * test's exp, expm1 and products, so that rounding can never turn a no-spike shortcut into a
 * wrong decision.
 */
const ROUNDING_MARGIN = 1 + 1e-9;

/** 1/6 (a product is cheaper than a division; its rounding is within ROUNDING_MARGIN). */
const SIXTH = 1 / 6;

/**
 * A lower bound D(a) > 0 of e^{−a} without an exponential, so e^a ≤ 1/D(a): for a ≤ 0 the series
 * of e^{−a} has positive terms, so e^{−a} ≥ 1 − a + a²/2 − a³/6; for 0 ≤ a < 1, e^{−a} ≥ 1 − a.
 * At and above a = 1 (or for NaN) there is no cheap bound: 0.
 */
export function expNegLowerBound(a: number): number {
  if (a <= 0) return 1 - a * (1 - a * (0.5 - a * SIXTH));
  return a < 1 ? 1 - a : 0;
}

/**
 * Whether a draw u can fall below 1 − exp(−halfDtC · (e^{a₀} + e^{a₁})); false only where it
 * certainly cannot. u ≥ halfDtC (1/D₀ + 1/D₁) is tested as u·D₀·D₁ ≥ halfDtC (D₀ + D₁), without
 * a division.
 */
export function escapeMightSpike(u: number, halfDtC: number, a0: number, a1: number): boolean {
  const d0 = expNegLowerBound(a0);
  const d1 = expNegLowerBound(a1);
  if (!(d0 > 0 && d1 > 0)) return true;
  return u * d0 * d1 < ROUNDING_MARGIN * halfDtC * (d0 + d1);
}

/**
 * The GLIF spike decision of a step: u < 1 − exp(−dt/2 · c · (e^{a₀} + e^{a₁})), the
 * exponentials evaluated only where escapeMightSpike allows a spike. halfDtC is dt/2 · c.
 */
export function escapeSpike(u: number, halfDt: number, c: number, halfDtC: number, a0: number, a1: number): boolean {
  return escapeMightSpike(u, halfDtC, a0, a1) && u < -Math.expm1(-halfDt * (c * (Math.exp(a0) + Math.exp(a1))));
}
