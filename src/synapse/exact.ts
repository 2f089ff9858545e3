/**
 * Exact-exponential building blocks shared by every synapse model of this folder.
 *
 * All the models here are linear (or piecewise linear) between events, so their evolution over
 * an interval Δ is a combination of e^{−Δ/τ} and of the convolution of two exponentials. These
 * helpers evaluate those pieces so that the limits τ → 0, τ1 → τ2 and Δ → 0 are the exact limits
 * of the formulas (no special-cased hacks and no perturbed time constants), and so that nothing
 * overflows or cancels catastrophically. They allocate nothing: engines call them per event.
 */

/**
 * e^{−Δ/τ}, the factor by which a quantity with time constant τ (s) decays over Δ (s).
 *
 * Δ ≤ 0 gives exactly 1 (no time has passed). τ = 0 gives 0 for every Δ > 0: that is the
 * limit τ → 0⁺ of e^{−Δ/τ}, i.e. instantaneous relaxation. τ = Infinity gives 1 (no relaxation).
 * Δ = Infinity gives 0 for finite τ (a synapse that has been at rest forever).
 * Callers must not pass Δ < 0 on purpose: time does not run backwards, and the value 1 only
 * keeps a float round-off of Δ (e.g. −1e-17) harmless.
 */
export function decayFactor(delta: number, tau: number): number {
  if (!(delta > 0)) return 1;
  if (tau === Infinity) return 1;
  return Math.exp(-delta / tau); // τ = 0 → exp(−∞) = 0
}

/**
 * 1 − e^{−Δ/τ}, accurate for small Δ/τ (expm1). Same conventions as decayFactor:
 * 0 for Δ ≤ 0, 1 for τ = 0 and Δ > 0, 0 for τ = Infinity.
 */
export function oneMinusDecay(delta: number, tau: number): number {
  if (!(delta > 0)) return 0;
  if (tau === Infinity) return 0;
  return -Math.expm1(-delta / tau);
}

/**
 * φ(ε) = (1 − e^{−ε}) / ε for ε ≥ 0, with φ(0) = 1 (its limit), φ(∞) = 0.
 * Evaluated with expm1, so it keeps full relative accuracy for tiny ε, where the naive quotient
 * cancels. It is the mean of e^{−s} over s ∈ [0, ε].
 */
export function oneMinusExpOverX(eps: number): number {
  if (eps === 0) return 1;
  if (eps === Infinity) return 0;
  return -Math.expm1(-eps) / eps;
}

/**
 * ln(1 + ε) / ε for ε > −1, with its limit 1 at ε = 0 (log1p keeps small ε accurate).
 */
export function log1pOverX(eps: number): number {
  if (eps === 0) return 1;
  return Math.log1p(eps) / eps;
}

/**
 * The convolution of two unit exponentials over an interval Δ:
 *
 *   C(Δ; τ1, τ2) = ∫₀^Δ e^{−s/τ2} e^{−(Δ−s)/τ1} ds = (e^{−Δ/τ1} − e^{−Δ/τ2}) / (1/τ2 − 1/τ1),
 *
 * which is symmetric in (τ1, τ2) (substitute s → Δ − s). It is the response after Δ of a
 * variable with time constant τ1 that is fed by a unit-initial-value variable with time
 * constant τ2 (dual-exponential filter, three-state STP model). With τs = max(τ1, τ2) and
 * τf = min(τ1, τ2) it is computed as
 *
 *   C = Δ · e^{−Δ/τs} · φ((1/τf − 1/τs) Δ),
 *
 * which is (a) exact at τ1 = τ2 = τ, where it is Δ e^{−Δ/τ} (the alpha function), and
 * continuous across it without cancellation, (b) free of overflow (both factors ≤ 1 besides Δ),
 * (c) 0 when τf = 0 (a feeding kernel of zero area). Times in seconds; result in seconds.
 */
export function expConvolution(delta: number, tau1: number, tau2: number): number {
  if (!(delta > 0)) return 0;
  const tauSlow = tau1 >= tau2 ? tau1 : tau2;
  const tauFast = tau1 >= tau2 ? tau2 : tau1;
  if (tauFast === 0) return 0;
  if (delta === Infinity) return tauSlow === Infinity ? tauFast : 0;
  const slow = decayFactor(delta, tauSlow);
  const rateGap = 1 / tauFast - (tauSlow === Infinity ? 0 : 1 / tauSlow);
  return delta * slow * oneMinusExpOverX(rateGap * delta);
}
