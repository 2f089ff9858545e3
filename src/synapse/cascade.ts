/**
 * Linear cascades of exponential stages, integrated exactly (docs/models.md §6):
 *
 *   dx_1/dt = −x_1/τ_1 + kicks,   dx_k/dt = −x_k/τ_k + x_{k−1}   (k = 2 … n),   output x_n.
 *
 * The exponential filter is the cascade (τs), the dual exponential (τr, τd), the alpha function
 * (τ, τ); three-state STP puts its active state y in front, so y feeding a dual-exponential or
 * alpha filter is the cascade (τin, τr, τd). Stages are numbered from 0 in the code.
 *
 * The system matrix is lower bidiagonal with eigenvalues λ_k = −1/τ_k and ones below the
 * diagonal. Its exponential over t is lower triangular with entries
 *
 *   P_kj(t) = (e^{−s/τ_j} ∗ e^{−s/τ_{j+1}} ∗ … ∗ e^{−s/τ_k})(t) = f[λ_j, …, λ_k],   f(λ) = e^{λt},
 *
 * the response of stage k to a unit value of stage j, which is the divided difference of the
 * exponential at the eigenvalues (see McCurdy, Ng & Parlett 1984, Math. Comp. 43:501–528).
 * `expConvolutionN` evaluates it so that coinciding or nearly coinciding time constants (the
 * alpha function, τin = τ) are the same code path as distinct ones and lose no accuracy: nodes
 * are sorted, a block of nodes spanning less than 1/t is summed as a Taylor series about its
 * midpoint, and wider blocks use the divided-difference recursion, whose subtraction then
 * cancels by less than one digit. (The split and the series are our construction.)
 *
 * Two identities give everything else: the integral of P_kj over [0, Δ] is the same divided
 * difference with one more node at λ = 0 (a stage with τ = ∞ is an integrator), and the impulse
 * response of an n-stage cascade has integral Π τ_k. Its maximum is found by a safeguarded
 * Newton iteration; the impulse response is a convolution of log-concave functions, hence
 * log-concave (Prékopa) and unimodal, so the root of its derivative is unique.
 *
 * Propagators are computed once per dt; `cascadeAdvance` applies one without allocation.
 */
import type { KernelNormalization } from './filters';

/** Most stages a cascade may have here (one integrator node included). */
export const MAX_CASCADE_NODES = 16;

const lambdas = new Float64Array(MAX_CASCADE_NODES);
const table = new Float64Array(MAX_CASCADE_NODES);
const hom = new Float64Array(MAX_CASCADE_NODES);

/** f[λ_i, …, λ_j] (sorted nodes in `lambdas`, span (λ_j − λ_i)·t < 1) as a Taylor series about the midpoint. */
function clusterDividedDifference(t: number, i: number, j: number): number {
  const m = j - i;
  const c = 0.5 * (lambdas[i] + lambdas[j]);
  // f[λ] = e^{ct} t^m Σ_q h_q(z)/(q + m)!, z_r = (λ_r − c)t, h_q the complete homogeneous
  // symmetric polynomial of degree q; |z_r| ≤ 1/2 bounds term q by 2^{−q}/(m! q!).
  let zMax = 0;
  for (let r = 0; r <= m; r++) {
    hom[r] = 1;
    const z = Math.abs((lambdas[i + r] - c) * t);
    if (z > zMax) zMax = z;
  }
  let inv = 1;
  for (let k = 2; k <= m; k++) inv /= k;
  let sum = inv;
  let bound = 1;
  for (let q = 1; q < 60; q++) {
    // h_q(z_0..z_r) = h_q(z_0..z_{r−1}) + z_r h_{q−1}(z_0..z_r), updated in place over r.
    hom[0] *= (lambdas[i] - c) * t;
    for (let r = 1; r <= m; r++) hom[r] = hom[r - 1] + (lambdas[i + r] - c) * t * hom[r];
    inv /= q + m;
    sum += hom[m] * inv;
    bound *= zMax / q;
    if (bound < 1e-18) break;
  }
  return t ** m * Math.exp(c * t) * sum;
}

/**
 * The convolution of the unit exponentials e^{−s/τ_k}, k = from … to (inclusive), at time t ≥ 0
 * (seconds; the result is in s^{to−from}). One node: e^{−t/τ}; two: expConvolution of ./exact.ts.
 * τ_k > 0 (Infinity allowed: a unit step, i.e. an integrator). t ≤ 0 gives the value at 0⁺
 * (1 for one node, 0 for more). Allocates nothing: it works in module-level scratch arrays, which
 * is safe because a JavaScript realm runs one call at a time (each worker has its own module).
 */
export function expConvolutionN(t: number, taus: ArrayLike<number>, from: number, to: number): number {
  const m = to - from;
  if (m < 0 || m >= MAX_CASCADE_NODES) throw new RangeError(`expConvolutionN: ${m + 1} nodes (1 … ${MAX_CASCADE_NODES} allowed)`);
  if (!(t > 0)) return m === 0 ? 1 : 0;
  // One node written like decayFactor, so a one-stage cascade reproduces the exponential filter bit for bit.
  if (m === 0) return taus[from] === Infinity ? 1 : Math.exp(-t / taus[from]);
  for (let r = 0; r <= m; r++) {
    const tau = taus[from + r];
    if (!(tau > 0)) throw new RangeError(`expConvolutionN: time constants must be > 0, got ${tau}`);
    // Insertion sort, ascending λ = −1/τ.
    const lam = tau === Infinity ? 0 : -1 / tau;
    let q = r;
    while (q > 0 && lambdas[q - 1] > lam) {
      lambdas[q] = lambdas[q - 1];
      q--;
    }
    lambdas[q] = lam;
  }
  for (let r = 0; r <= m; r++) table[r] = Math.exp(lambdas[r] * t);
  // Newton's table in place: after pass L, table[i] = f[λ_i, …, λ_{i+L}].
  for (let L = 1; L <= m; L++) {
    for (let i = 0; i + L <= m; i++) {
      const span = lambdas[i + L] - lambdas[i];
      table[i] = span * t < 1 ? clusterDividedDifference(t, i, i + L) : (table[i + 1] - table[i]) / span;
    }
  }
  return table[0];
}

/** Impulse response of the cascade's output to a unit kick of its first stage at 0: P_{n−1,0}(t) (s^{n−1}). */
export function cascadeImpulse(taus: readonly number[], t: number): number {
  return t < 0 ? 0 : expConvolutionN(t, taus, 0, taus.length - 1);
}

/** ∫₀^∞ of the impulse response: Π τ_k (s^n). */
export function cascadeIntegral(taus: readonly number[]): number {
  let p = 1;
  for (const tau of taus) p *= tau;
  return p;
}

/** Response of every stage k to a unit kick of stage 0, and its first two time derivatives, at t > 0. */
function stageDerivatives(taus: readonly number[], t: number): { d1: number; d2: number } {
  const n = taus.length;
  const x = (k: number) => (k < 0 ? 0 : expConvolutionN(t, taus, 0, k));
  const xn = x(n - 1);
  const xp = x(n - 2);
  const xpp = x(n - 3);
  // dx_k/dt = x_{k−1} − x_k/τ_k (x_{−1} ≡ 0 after the kick).
  const dXp = xpp - xp / taus[n - 2];
  const d1 = xp - xn / taus[n - 1];
  return { d1, d2: dXp - d1 / taus[n - 1] };
}

/**
 * Time of the maximum of the impulse response (s): 0 for one stage; otherwise the unique root of
 * its derivative, by Newton's method kept inside a bracket that bisection shrinks when a Newton
 * step leaves it. For two stages it equals dualExpPeakTime.
 */
export function cascadePeakTime(taus: readonly number[]): number {
  if (taus.length < 2) return 0;
  let lo = 0;
  let hi = 0;
  for (const tau of taus) hi += tau;
  // The mode of this log-concave density is below its mean Σ τ in every case we know; doubling covers the rest.
  for (let k = 0; k < 60 && !(stageDerivatives(taus, hi).d1 < 0); k++) {
    lo = hi;
    hi *= 2;
  }
  let t = 0.5 * (lo + hi);
  for (let it = 0; it < 200; it++) {
    const { d1, d2 } = stageDerivatives(taus, t);
    if (d1 > 0) lo = t;
    else if (d1 < 0) hi = t;
    else return t;
    let next = d2 < 0 ? t - d1 / d2 : NaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - t) <= 1e-15 * t || hi - lo <= 1e-15 * hi) return next;
    t = next;
  }
  return t;
}

/** Peak value of the impulse response, P_{n−1,0}(t*) (1 for one stage). */
export function cascadePeakValue(taus: readonly number[]): number {
  return cascadeImpulse(taus, cascadePeakTime(taus));
}

/** Kick scale making the response to one kick peak at 1 ('peak') or integrate to 1 s ('integral'). */
export function cascadeKickScale(taus: readonly number[], norm: KernelNormalization): number {
  return norm === 'peak' ? 1 / cascadePeakValue(taus) : 1 / cascadeIntegral(taus);
}

/** Exact propagator of an n-stage cascade over a fixed step. */
export interface CascadePropagator {
  readonly n: number;
  /** P_kj(dt), row-major n×n, zero above the diagonal. */
  readonly P: Float64Array;
  /** ∫₀^dt P_{n−1,j}(s) ds: how stage j's value at the step start contributes to ∫ output over the step. */
  readonly outIntegral: Float64Array;
}

/** The exact propagator over dt seconds (compute once per dt). */
export function cascadePropagator(taus: readonly number[], dt: number): CascadePropagator {
  const n = taus.length;
  if (n < 1 || n >= MAX_CASCADE_NODES) throw new RangeError(`a cascade has 1 … ${MAX_CASCADE_NODES - 1} stages, got ${n}`);
  const P = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let j = 0; j <= k; j++) P[k * n + j] = expConvolutionN(dt, taus, j, k);
  const withIntegrator = [...taus, Infinity];
  const outIntegral = new Float64Array(n);
  for (let j = 0; j < n; j++) outIntegral[j] = expConvolutionN(dt, withIntegrator, j, n);
  return { n, P, outIntegral };
}

/**
 * Advances entry i of the stage arrays (stages[0] is kicked, stages[n−1] is the output) over one
 * step; returns ∫ output over the step. Rows are updated from the last down, so each uses the
 * step-start values of the stages before it.
 */
export function cascadeAdvance(prop: CascadePropagator, stages: readonly Float64Array[], i: number): number {
  const n = prop.n;
  const P = prop.P;
  let integral = 0;
  for (let j = 0; j < n; j++) integral += prop.outIntegral[j] * stages[j][i];
  for (let k = n - 1; k >= 0; k--) {
    let v = 0;
    for (let j = 0; j <= k; j++) v += P[k * n + j] * stages[j][i];
    stages[k][i] = v;
  }
  return integral;
}
