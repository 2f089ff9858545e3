/**
 * Responses of the STP models to a regular presynaptic train (period T, spikes at t_k = kT,
 * k = 0, 1, 2, …, the synapse at rest before spike 0): the oracles of docs/validation/plan.md V1.
 * Spike index k is 0-based throughout; "⁻" is just before spike k, "⁺" just after.
 *
 * What is closed form and what is an exact recursion, per model:
 *
 * - Depression only (u ≡ U): with e_D = e^{−T/τD} and ρ = (1 − U)e_D,
 *     x_{k+1} = (1 − e_D) + ρ x_k,  x_0 = 1
 *   is affine with a constant factor, so
 *     x* = (1 − e_D)/(1 − ρ),  x_k = x* + (1 − x*) ρ^k,  w_k = U x_k.          (closed form)
 *
 * - Tsodyks–Markram u–x (either U0 convention): with e_F = e^{−T/τF}, β = (1 − U)e_F,
 *     u_{k+1}⁻ = α + β u_k⁻,  α = U0(1 − e_F) + U e_F,  u_0⁻ = U0
 *   is affine with a constant factor, so
 *     u*⁻ = α/(1 − β),  u_k⁻ = u*⁻ + (U0 − u*⁻) β^k,  u_k⁺ = U + (1 − U) u_k⁻.  (closed form)
 *   The resources follow x_{k+1}⁻ = (1 − e_D) + e_D (1 − u_k⁺) x_k⁻, x_0⁻ = 1: affine with a
 *   factor that varies geometrically with k. Its fixed point is closed form,
 *     x*⁻ = (1 − e_D)/(1 − e_D(1 − u*⁺)),  w* = u*⁺ x*⁻,
 *   but the transient is a sum of q-Pochhammer-type products Π_j (1 − γβ^j), which has no
 *   elementary closed form; it is evaluated here by the exact recursion in O(k) (exact in exact
 *   arithmetic; its rounding error is O(k ε)). With τF = 0 (e_F = 0) u_k⁺ is the constant
 *   U0 + U(1 − U0) and x is geometric as in the depression-only case with that U.
 *
 * - Three-state (Tsodyks & Markram 1997): the state (y, z) just before a spike obeys the affine
 *   map v_{k+1} = M v_k + c with constant 2×2 M, so v* = (I − M)⁻¹ c and v_k = v* + M^k(v_0 − v*),
 *   v_0 = 0; M^k is evaluated by repeated squaring (O(log k), exact in exact arithmetic).
 *
 * These functions allocate their small result objects: they are oracles, not inner loops.
 */
import { decayFactor, expConvolution, oneMinusDecay } from './exact';
import type { DepressionParams } from './stpDepression';
import type { ThreeStateParams } from './stpThreeState';
import type { TmParams } from './stpTsodyksMarkram';

/** Steady state of the u–x model under a regular train (just before / after a spike). */
export interface TmRegularSteadyState {
  /** u just before a spike. */
  readonly uMinus: number;
  /** u just after a spike (the u⁺ that multiplies x⁻ in the efficacy). */
  readonly uPlus: number;
  /** x just before a spike. */
  readonly xMinus: number;
  /** x just after a spike. */
  readonly xPlus: number;
  /** Efficacy per spike w* = u*⁺ x*⁻. */
  readonly efficacy: number;
  /** Transmitted efficacy per second, w* / T (Hz). */
  readonly transmittedRate: number;
}

function checkPeriod(T: number): void {
  if (!(T > 0)) throw new RangeError(`the period T must be > 0 s, got ${T}`);
}

/** Coefficients of the u-recursion u_{k+1}⁻ = α + β u_k⁻ and its fixed point. */
function tmUAffine(p: TmParams, T: number): { beta: number; uStar: number } {
  const eF = decayFactor(T, p.tauF);
  const beta = (1 - p.U) * eF;
  const alpha = p.U0 * (1 - eF) + p.U * eF;
  return { beta, uStar: alpha / (1 - beta) };
}

/** Steady state of the u–x model under a regular train of period T (s). Closed form. */
export function tmRegularSteadyState(p: TmParams, T: number): TmRegularSteadyState {
  checkPeriod(T);
  const { uStar } = tmUAffine(p, T);
  const uPlus = p.U + (1 - p.U) * uStar;
  const eD = decayFactor(T, p.tauD);
  const xMinus = oneMinusDecay(T, p.tauD) / (1 - eD * (1 - uPlus));
  const efficacy = uPlus * xMinus;
  return { uMinus: uStar, uPlus, xMinus, xPlus: xMinus - efficacy, efficacy, transmittedRate: efficacy / T };
}

/** u just before spike k (0-based) of a regular train of period T, from rest. Closed form. */
export function tmRegularUMinus(p: TmParams, T: number, k: number): number {
  checkPeriod(T);
  const { beta, uStar } = tmUAffine(p, T);
  return uStar + (p.U0 - uStar) * beta ** k;
}

/** u just after spike k (0-based), u_k⁺ = U + (1 − U) u_k⁻. Closed form. */
export function tmRegularUPlus(p: TmParams, T: number, k: number): number {
  return p.U + (1 - p.U) * tmRegularUMinus(p, T, k);
}

/**
 * Efficacies w_0 … w_{n−1} of the first n spikes of a regular train of period T (s), from rest:
 * u_k⁺ from its closed form, x_k⁻ from the exact recursion x_{k+1}⁻ = (1 − e_D) + e_D(1 − u_k⁺)x_k⁻.
 */
export function tmRegularEfficacies(p: TmParams, T: number, n: number): Float64Array {
  checkPeriod(T);
  const { beta, uStar } = tmUAffine(p, T);
  const eD = decayFactor(T, p.tauD);
  const gD = oneMinusDecay(T, p.tauD);
  const out = new Float64Array(n);
  let x = 1;
  let betaK = 1;
  for (let k = 0; k < n; k++) {
    const uPlus = p.U + (1 - p.U) * (uStar + (p.U0 - uStar) * betaK);
    out[k] = uPlus * x;
    x = gD + eD * (1 - uPlus) * x;
    betaK *= beta;
  }
  return out;
}

/** Steady state of the depression-only model under a regular train (x just before a spike). */
export interface DepressionRegularSteadyState {
  /** x just before a spike, x* = (1 − e_D)/(1 − (1 − U)e_D). */
  readonly xMinus: number;
  /** Efficacy per spike U x*. */
  readonly efficacy: number;
  /** The contraction factor ρ = (1 − U)e^{−T/τD} of the transient x_k − x* = (1 − x*)ρ^k. */
  readonly rho: number;
  /** Transmitted efficacy per second, U x* / T (Hz). */
  readonly transmittedRate: number;
}

/** Steady state of the depression-only model under a regular train of period T (s). Closed form. */
export function depressionRegularSteadyState(p: DepressionParams, T: number): DepressionRegularSteadyState {
  checkPeriod(T);
  const eD = decayFactor(T, p.tauD);
  const rho = (1 - p.U) * eD;
  const xMinus = oneMinusDecay(T, p.tauD) / (1 - rho);
  return { xMinus, efficacy: p.U * xMinus, rho, transmittedRate: (p.U * xMinus) / T };
}

/** x just before spike k (0-based) from rest: x* + (1 − x*)ρ^k. Closed form, O(1). */
export function depressionRegularXMinus(p: DepressionParams, T: number, k: number): number {
  const ss = depressionRegularSteadyState(p, T);
  return ss.xMinus + (1 - ss.xMinus) * ss.rho ** k;
}

/** Efficacy U x_k⁻ of spike k (0-based) from rest. Closed form, O(1). */
export function depressionRegularEfficacy(p: DepressionParams, T: number, k: number): number {
  return p.U * depressionRegularXMinus(p, T, k);
}

/** State of the three-state model just before a spike of a regular train. */
export interface ThreeStateRegularState {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  /** Released amount U x of this spike. */
  readonly release: number;
}

/** The affine spike-to-spike map (y, z) ↦ M (y, z) + c of the three-state model, period T. */
function threeStateMap(p: ThreeStateParams, T: number) {
  const a = decayFactor(T, p.tauIn);
  const b = decayFactor(T, p.tauRec);
  const g = expConvolution(T, p.tauRec, p.tauIn) / p.tauIn;
  const U = p.U;
  // y_{k+1} = a (y + U(1 − y − z)),  z_{k+1} = b z + g (y + U(1 − y − z))
  return { m11: a * (1 - U), m12: -a * U, m21: g * (1 - U), m22: b - g * U, c1: a * U, c2: g * U };
}

function threeStateFixedPoint(m: ReturnType<typeof threeStateMap>): [number, number] {
  // (I − M) v* = c by Cramer's rule; det(I − M) > 0 for T > 0, since M is a contraction.
  const a11 = 1 - m.m11;
  const a12 = -m.m12;
  const a21 = -m.m21;
  const a22 = 1 - m.m22;
  const det = a11 * a22 - a12 * a21;
  return [(m.c1 * a22 - a12 * m.c2) / det, (a11 * m.c2 - a21 * m.c1) / det];
}

function stateOf(p: ThreeStateParams, y: number, z: number): ThreeStateRegularState {
  const x = 1 - y - z;
  return { x, y, z, release: p.U * x };
}

/** Steady state of the three-state model just before a spike, period T (s). Closed form. */
export function threeStateRegularSteadyState(
  p: ThreeStateParams,
  T: number,
): ThreeStateRegularState & {
  /** Time average of the drive y over one period, (1/T)∫y = (y* + U x*) τin (1 − e^{−T/τin}) / T. */
  readonly meanY: number;
} {
  checkPeriod(T);
  const [y, z] = threeStateFixedPoint(threeStateMap(p, T));
  const s = stateOf(p, y, z);
  const yPlus = y + s.release;
  return { ...s, meanY: (yPlus * p.tauIn * oneMinusDecay(T, p.tauIn)) / T };
}

/**
 * State just before spike k (0-based) of a regular train of period T (s), from rest:
 * v_k = v* + M^k (0 − v*), M^k by repeated squaring.
 */
export function threeStateRegularState(p: ThreeStateParams, T: number, k: number): ThreeStateRegularState {
  checkPeriod(T);
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`spike index must be an integer ≥ 0, got ${k}`);
  const m = threeStateMap(p, T);
  const [ys, zs] = threeStateFixedPoint(m);
  // P = M^k by binary powering.
  let p11 = 1,
    p12 = 0,
    p21 = 0,
    p22 = 1;
  let b11 = m.m11,
    b12 = m.m12,
    b21 = m.m21,
    b22 = m.m22;
  for (let e = k; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) {
      const q11 = p11 * b11 + p12 * b21;
      const q12 = p11 * b12 + p12 * b22;
      const q21 = p21 * b11 + p22 * b21;
      const q22 = p21 * b12 + p22 * b22;
      p11 = q11;
      p12 = q12;
      p21 = q21;
      p22 = q22;
    }
    const s11 = b11 * b11 + b12 * b21;
    const s12 = b11 * b12 + b12 * b22;
    const s21 = b21 * b11 + b22 * b21;
    const s22 = b21 * b12 + b22 * b22;
    b11 = s11;
    b12 = s12;
    b21 = s21;
    b22 = s22;
  }
  const y = ys - (p11 * ys + p12 * zs);
  const z = zs - (p21 * ys + p22 * zs);
  return stateOf(p, y, z);
}
