/**
 * Moment equations of one STP synapse driven by a Poisson spike train of rate r(t)
 * (docs/equations.md §4; derivations in docs/models.md). For any f(u, x) the generator gives
 *
 *   dE[f]/dt = E[drift · ∇f] + r E[f(u⁺, x(1 − u⁺)) − f(u, x)],   u⁺ = U + (1 − U)u,
 *
 * with drift ((U0 − u)/τF, (1 − x)/τD). Moments are of the state between spikes; by PASTA
 * (Poisson arrivals see time averages) they are also the moments just before a spike, so
 * E[w] = E[u⁺x⁻] = U E[x] + (1 − U) E[ux] is the mean efficacy per spike.
 *
 * (a) depression only (u ≡ U): E[x], E[x²] close exactly.
 * (b) u-moments: close exactly at every order (u's jump is affine in u).
 * (c) u–x model: E[x], E[ux], E[x²] involve third and fourth moments; MF2 closes them as if
 *     (u, x) were Gaussian, MF1 sets E[ux] = E[u]E[x] (Schmutz, Gerstner & Schwalger 2020,
 *     J. Math. Neurosci. 10:5).
 * (d) stationary values as functions of r: the "mean-field analysis" of a single synapse.
 *
 * RHS functions write into a caller-provided array and allocate nothing, so a caller can
 * integrate them with a time-dependent r. Exact constant-rate steps are given where the system
 * is linear (a, b). Times in seconds, rates in Hz.
 */
import { expConvolution } from './exact';
import type { DepressionParams } from './stpDepression';
import type { ThreeStateParams } from './stpThreeState';
import type { TmParams } from './stpTsodyksMarkram';

// ---------------------------------------------------------------------------------------------
// (a) Depression only: exact.

/**
 * Right-hand side of the exact depression-only moment equations at rate r (Hz):
 *   dE[x]/dt  = (1 − E[x])/τD − U r E[x]
 *   dE[x²]/dt = 2(E[x] − E[x²])/τD − U(2 − U) r E[x²]
 * writes out[0] = dE[x]/dt, out[1] = dE[x²]/dt (per second). Needs τD > 0.
 */
export function depressionMomentsRhs(p: DepressionParams, r: number, Ex: number, Ex2: number, out: Float64Array): void {
  const U = p.U;
  out[0] = (1 - Ex) / p.tauD - U * r * Ex;
  out[1] = (2 * (Ex - Ex2)) / p.tauD - U * (2 - U) * r * Ex2;
}

/** Exact stationary moments of x under Poisson input (depression only). */
export interface DepressionMoments {
  /** E[x] = 1/(1 + U r τD). */
  readonly Ex: number;
  /** E[x²] = 2E[x]/(2 + U(2 − U) r τD). */
  readonly Ex2: number;
  /** Var(x) = E[x²] − E[x]². */
  readonly varX: number;
}

/** Exact stationary E[x], E[x²] of the depression-only synapse at constant rate r (Hz). */
export function depressionStationaryMoments(p: DepressionParams, r: number): DepressionMoments {
  const U = p.U;
  const Ex = 1 / (1 + U * r * p.tauD);
  const Ex2 = (2 * Ex) / (2 + U * (2 - U) * r * p.tauD);
  return { Ex, Ex2, varX: Ex2 - Ex * Ex };
}

/**
 * Exact step of the depression-only moments over h seconds at constant rate r, in place:
 * m[0] = E[x], m[1] = E[x²]. The system is linear with constant coefficients:
 * E[x](h) = x̄ + d e^{−k1 h} with k1 = 1/τD + U r, d = E[x](0) − x̄, and
 * E[x²](h) = m̄2 + (E[x²](0) − m̄2)e^{−k2 h} + (2/τD) d C(h; 1/k2, 1/k1), k2 = 2/τD + U(2 − U) r,
 * C the convolution of two exponentials (./exact.ts). Needs τD > 0.
 */
export function depressionMomentsStep(p: DepressionParams, r: number, h: number, m: Float64Array): void {
  const U = p.U;
  const k1 = 1 / p.tauD + U * r;
  const k2 = 2 / p.tauD + U * (2 - U) * r;
  const m1s = 1 / (p.tauD * k1);
  const m2s = (2 * m1s) / (p.tauD * k2);
  const d1 = m[0] - m1s;
  m[1] = m2s + (m[1] - m2s) * Math.exp(-k2 * h) + (2 / p.tauD) * d1 * expConvolution(h, 1 / k2, 1 / k1);
  m[0] = m1s + d1 * Math.exp(-k1 * h);
}

// ---------------------------------------------------------------------------------------------
// (b) Facilitation variable u: exact at every order.

/**
 * Right-hand side of the exact u-moment equations at rate r (Hz):
 *   dE[u]/dt  = (U0 − E[u])/τF + r U (1 − E[u])
 *   dE[u²]/dt = 2(U0 E[u] − E[u²])/τF + r (U² + 2U(1 − U)E[u] − U(2 − U)E[u²])
 * writes out[0], out[1]. Needs τF > 0.
 */
export function uMomentsRhs(p: TmParams, r: number, Eu: number, Eu2: number, out: Float64Array): void {
  const { U, U0, tauF } = p;
  out[0] = (U0 - Eu) / tauF + r * U * (1 - Eu);
  out[1] = (2 * (U0 * Eu - Eu2)) / tauF + r * (U * U + 2 * U * (1 - U) * Eu - U * (2 - U) * Eu2);
}

/** Exact stationary moments of u (between spikes, i.e. u⁻ at a spike by PASTA). */
export interface UMoments {
  /** E[u] = (U0 + U r τF)/(1 + U r τF). */
  readonly Eu: number;
  /** E[u²] = (2U0 E[u] + r τF (U² + 2U(1 − U)E[u])) / (2 + U(2 − U) r τF). */
  readonly Eu2: number;
}

/**
 * Exact stationary E[u], E[u²] at constant rate r (Hz). Written with τF multiplied through, so
 * τF = 0 gives the exact limit E[u] = U0, E[u²] = U0².
 */
export function uStationaryMoments(p: TmParams, r: number): UMoments {
  const { U, U0, tauF } = p;
  const rt = r * tauF;
  const Eu = (U0 + U * rt) / (1 + U * rt);
  const Eu2 = (2 * U0 * Eu + rt * (U * U + 2 * U * (1 - U) * Eu)) / (2 + U * (2 - U) * rt);
  return { Eu, Eu2 };
}

/**
 * Exact step of the u-moments over h seconds at constant rate r, in place: m[0] = E[u],
 * m[1] = E[u²]. Same structure as depressionMomentsStep: k1 = 1/τF + rU,
 * k2 = 2/τF + rU(2 − U), and E[u] drives E[u²] with coefficient 2U0/τF + 2rU(1 − U).
 * τF = 0 jumps to the stationary values (instantaneous relaxation).
 */
export function uMomentsStep(p: TmParams, r: number, h: number, m: Float64Array): void {
  const { U, U0, tauF } = p;
  if (tauF === 0) {
    m[0] = U0;
    m[1] = U0 * U0;
    return;
  }
  const k1 = 1 / tauF + r * U;
  const k2 = 2 / tauF + r * U * (2 - U);
  const c = (2 * U0) / tauF + 2 * r * U * (1 - U);
  const m1s = (U0 / tauF + r * U) / k1;
  const m2s = (r * U * U + c * m1s) / k2;
  const d1 = m[0] - m1s;
  m[1] = m2s + (m[1] - m2s) * Math.exp(-k2 * h) + c * d1 * expConvolution(h, 1 / k2, 1 / k1);
  m[0] = m1s + d1 * Math.exp(-k1 * h);
}

// ---------------------------------------------------------------------------------------------
// (c) u–x model: second-order (MF2, Gaussian closure) and first-order (MF1) moment equations.

/** Layout of the MF2 state vector of raw moments. */
export const MF2 = {
  /** E[u] */
  U: 0,
  /** E[x] */
  X: 1,
  /** E[u²] */
  UU: 2,
  /** E[x²] */
  XX: 3,
  /** E[ux] */
  UX: 4,
  /** Length of the vector. */
  SIZE: 5,
} as const;

/** Gaussian closure E[u²x] = μu²μx + S_uu μx + 2μu S_ux, from the raw moments m (MF2 layout). */
export function closureEu2x(m: ArrayLike<number>): number {
  const mu = m[MF2.U];
  const mx = m[MF2.X];
  const suu = m[MF2.UU] - mu * mu;
  const sux = m[MF2.UX] - mu * mx;
  return mu * mu * mx + suu * mx + 2 * mu * sux;
}

/** Gaussian closure E[ux²] = μu μx² + S_xx μu + 2μx S_ux. */
export function closureEux2(m: ArrayLike<number>): number {
  const mu = m[MF2.U];
  const mx = m[MF2.X];
  const sxx = m[MF2.XX] - mx * mx;
  const sux = m[MF2.UX] - mu * mx;
  return mu * mx * mx + sxx * mu + 2 * mx * sux;
}

/**
 * Gaussian closure (Isserlis) E[u²x²] = μu²μx² + μu²S_xx + μx²S_uu + 4μuμxS_ux + S_uuS_xx + 2S_ux².
 */
export function closureEu2x2(m: ArrayLike<number>): number {
  const mu = m[MF2.U];
  const mx = m[MF2.X];
  const suu = m[MF2.UU] - mu * mu;
  const sxx = m[MF2.XX] - mx * mx;
  const sux = m[MF2.UX] - mu * mx;
  return mu * mu * mx * mx + mu * mu * sxx + mx * mx * suu + 4 * mu * mx * sux + suu * sxx + 2 * sux * sux;
}

/**
 * Right-hand side of the MF2 moment equations at rate r (Hz), state m in the MF2 layout, result
 * in out (same layout, per second). With a = 1 − U:
 *   dE[u]/dt, dE[u²]/dt: exact (uMomentsRhs)
 *   dE[x]/dt  = (1 − E[x])/τD − r (U E[x] + a E[ux])                                  (exact)
 *   dE[x²]/dt = 2(E[x] − E[x²])/τD − r (U(2 − U)E[x²] + 2a²E[ux²] − a²E[u²x²])
 *   dE[ux]/dt = (U0 E[x] − E[ux])/τF + (E[u] − E[ux])/τD
 *               + r (U(1 − U)E[x] + a(1 − 2U)E[ux] − a²E[u²x] − E[ux])
 * with E[ux²], E[u²x²], E[u²x] from the Gaussian closure. Needs τF > 0 and τD > 0 (for τF = 0
 * use the depression-only equations with U_eff = U0 + U(1 − U0), which are then exact).
 */
export function tmMf2Rhs(p: TmParams, r: number, m: ArrayLike<number>, out: Float64Array): void {
  const { U, U0, tauD, tauF } = p;
  const a = 1 - U;
  const Eu = m[MF2.U];
  const Ex = m[MF2.X];
  const Euu = m[MF2.UU];
  const Exx = m[MF2.XX];
  const Eux = m[MF2.UX];
  out[MF2.U] = (U0 - Eu) / tauF + r * U * (1 - Eu);
  out[MF2.UU] = (2 * (U0 * Eu - Euu)) / tauF + r * (U * U + 2 * U * a * Eu - U * (2 - U) * Euu);
  out[MF2.X] = (1 - Ex) / tauD - r * (U * Ex + a * Eux);
  out[MF2.XX] = (2 * (Ex - Exx)) / tauD - r * (U * (2 - U) * Exx + 2 * a * a * closureEux2(m) - a * a * closureEu2x2(m));
  out[MF2.UX] = (U0 * Ex - Eux) / tauF + (Eu - Eux) / tauD + r * (U * a * Ex + a * (1 - 2 * U) * Eux - a * a * closureEu2x(m) - Eux);
}

/** Mean efficacy per spike E[w] = E[u⁺x⁻] = U E[x] + (1 − U)E[ux] (exact given the moments). */
export function tmMf2Efficacy(p: TmParams, m: ArrayLike<number>): number {
  return p.U * m[MF2.X] + (1 - p.U) * m[MF2.UX];
}

/** E[w²] = U²E[x²] + 2U(1 − U)E[ux²] + (1 − U)²E[u²x²], the last two from the Gaussian closure. */
export function tmMf2EfficacySq(p: TmParams, m: ArrayLike<number>): number {
  const a = 1 - p.U;
  return p.U * p.U * m[MF2.XX] + 2 * p.U * a * closureEux2(m) + a * a * closureEu2x2(m);
}

/** Layout of the MF1 state vector: [E[u], E[x]]. */
export const MF1 = { U: 0, X: 1, SIZE: 2 } as const;

/**
 * Right-hand side of the first-order (MF1) equations, E[ux] ≈ E[u]E[x]:
 *   dE[u]/dt = (U0 − E[u])/τF + r U (1 − E[u])          (exact)
 *   dE[x]/dt = (1 − E[x])/τD − r (U + (1 − U)E[u]) E[x]
 */
export function tmMf1Rhs(p: TmParams, r: number, m: ArrayLike<number>, out: Float64Array): void {
  const { U, U0, tauD, tauF } = p;
  const Eu = m[MF1.U];
  const Ex = m[MF1.X];
  out[MF1.U] = (U0 - Eu) / tauF + r * U * (1 - Eu);
  out[MF1.X] = (1 - Ex) / tauD - r * (U + (1 - U) * Eu) * Ex;
}

/** MF1 efficacy per spike (U + (1 − U)E[u]) E[x]. */
export function tmMf1Efficacy(p: TmParams, m: ArrayLike<number>): number {
  return (p.U + (1 - p.U) * m[MF1.U]) * m[MF1.X];
}

// ---------------------------------------------------------------------------------------------
// (d) Stationary "mean-field analysis" of a single synapse at constant rate r.

/** Stationary statistics of one synapse at Poisson rate r. All moments are just before a spike. */
export interface StationarySynapse {
  /** Presynaptic rate, Hz. */
  readonly rate: number;
  /** E[u⁻] (U for the depression-only model). */
  readonly u: number;
  /** E[u⁺] = U + (1 − U)E[u⁻]. */
  readonly uPlus: number;
  /** E[x⁻] (recovered resources; x of the three-state model). */
  readonly x: number;
  /** E[u⁻x⁻]. */
  readonly ux: number;
  /** E[x⁻²] (NaN where the model level does not provide it). */
  readonly x2: number;
  /** Mean efficacy per spike E[w]. */
  readonly efficacy: number;
  /** E[w²] (MF1: E[w]², since first order keeps no fluctuations). */
  readonly efficacySq: number;
  /** Transmitted efficacy per second r E[w], Hz. */
  readonly transmittedRate: number;
}

function stationary(rate: number, u: number, uPlus: number, x: number, ux: number, x2: number, efficacy: number, efficacySq: number): StationarySynapse {
  return { rate, u, uPlus, x, ux, x2, efficacy, efficacySq, transmittedRate: rate * efficacy };
}

/**
 * Depression only, exact: E[w] = U/(1 + U r τD), E[w²] = U²E[x²]. The transmitted rate
 * r E[w] = rU/(1 + U r τD) grows linearly for r ≪ 1/(UτD) and saturates at 1/τD.
 */
export function depressionStationary(p: DepressionParams, r: number): StationarySynapse {
  const m = depressionStationaryMoments(p, r);
  return stationary(r, p.U, p.U, m.Ex, p.U * m.Ex, m.Ex2, p.U * m.Ex, p.U * p.U * m.Ex2);
}

/**
 * MF1 stationary state, closed form: E[u] exact, u⁺ = U + (1 − U)E[u],
 * E[x] = 1/(1 + r τD u⁺), E[ux] ≈ E[u]E[x], E[w] = u⁺E[x], E[w²] ≈ E[w]².
 */
export function tmStationaryMf1(p: TmParams, r: number): StationarySynapse {
  const { Eu } = uStationaryMoments(p, r);
  const uPlus = p.U + (1 - p.U) * Eu;
  const Ex = 1 / (1 + r * p.tauD * uPlus);
  const w = uPlus * Ex;
  return stationary(r, Eu, uPlus, Ex, Eu * Ex, NaN, w, w * w);
}

/**
 * MF2 stationary state, closed form (no iteration). The stationary equations are solved in
 * sequence, because each is linear in the unknowns it introduces:
 * 1. E[u], E[u²]: exact (uStationaryMoments).
 * 2. E[x], E[ux]: dE[x]/dt = 0 and dE[ux]/dt = 0 are linear in (E[x], E[ux]) once the closure
 *    E[u²x] = (E[u²] − 2E[u]²)E[x] + 2E[u]E[ux] is inserted: a 2×2 linear system (Cramer).
 * 3. E[x²]: the closures are E[ux²] = E[u]E[x²] + 2E[x]S_ux and
 *    E[u²x²] = E[u²]E[x²] + 4E[u]E[x]S_ux + 2S_ux², linear in E[x²]: one division.
 * The equations are multiplied by τF τD first, so τF = 0 (then u ≡ U0 between spikes and the
 * result is the exact depression-only one with U_eff = U0 + U(1 − U0)) and τD = 0 (x ≡ 1) are
 * exact limits. The test suite checks the result against long integration of tmMf2Rhs.
 */
export function tmStationaryMf2(p: TmParams, r: number): StationarySynapse {
  const { U, U0, tauD, tauF } = p;
  const a = 1 - U;
  const { Eu, Eu2 } = uStationaryMoments(p, r);
  // τD·[dE[x]/dt = 0]:  A11 E[x] + A12 E[ux] = 1
  const A11 = 1 + tauD * r * U;
  const A12 = tauD * r * a;
  // τFτD·[dE[ux]/dt = 0]: A21 E[x] + A22 E[ux] = B2
  const A21 = tauD * U0 + tauF * tauD * r * (U * a - a * a * (Eu2 - 2 * Eu * Eu));
  const A22 = -tauD - tauF + tauF * tauD * r * (a * (1 - 2 * U) - 2 * a * a * Eu - 1);
  const B2 = -tauF * Eu;
  const det = A11 * A22 - A12 * A21;
  const Ex = (A22 - A12 * B2) / det;
  const Eux = (A11 * B2 - A21) / det;
  const sux = Eux - Eu * Ex;
  // τD·[dE[x²]/dt = 0], linear in E[x²].
  const num = 2 * Ex - tauD * r * a * a * (4 * Ex * sux * (1 - Eu) - 2 * sux * sux);
  const den = 2 + tauD * r * (U * (2 - U) + 2 * a * a * Eu - a * a * Eu2);
  const Exx = num / den;
  const m = [Eu, Ex, Eu2, Exx, Eux];
  const uPlus = U + a * Eu;
  return stationary(r, Eu, uPlus, Ex, Eux, Exx, tmMf2Efficacy(p, m), tmMf2EfficacySq(p, m));
}

/** MF2 moment vector (MF2 layout) of the stationary state, e.g. as an initial condition. */
export function tmStationaryMf2Moments(p: TmParams, r: number): Float64Array {
  const s = tmStationaryMf2(p, r);
  const { Eu2 } = uStationaryMoments(p, r);
  const m = new Float64Array(MF2.SIZE);
  m[MF2.U] = s.u;
  m[MF2.X] = s.x;
  m[MF2.UU] = Eu2;
  m[MF2.XX] = s.x2;
  m[MF2.UX] = s.ux;
  return m;
}

/** Layout of the three-state moment vector: E[x], E[y], E[x²], E[xy], E[y²] (z = 1 − x − y). */
export const TS = { X: 0, Y: 1, XX: 2, XY: 3, YY: 4, SIZE: 5 } as const;

/**
 * Right-hand side of the three-state moment equations at Poisson rate r. The jump at a spike,
 * x → (1 − U)x, y → y + Ux, and the flow between spikes, dx/dt = (1 − x − y)/τrec, dy/dt = −y/τin,
 * are linear, so the first and second moments close exactly:
 *   dE[x]/dt  = (1 − E[x] − E[y])/τrec − rU E[x]
 *   dE[y]/dt  = −E[y]/τin + rU E[x]
 *   dE[x²]/dt = 2(E[x] − E[x²] − E[xy])/τrec − rU(2 − U)E[x²]
 *   dE[xy]/dt = (E[y] − E[xy] − E[y²])/τrec − E[xy]/τin + r(U(1 − U)E[x²] − U E[xy])
 *   dE[y²]/dt = −2E[y²]/τin + r(2U E[xy] + U²E[x²])
 */
export function threeStateMomentsRhs(p: ThreeStateParams, r: number, m: ArrayLike<number>, out: Float64Array): void {
  const { U, tauIn, tauRec } = p;
  const Ex = m[TS.X];
  const Ey = m[TS.Y];
  const Exx = m[TS.XX];
  const Exy = m[TS.XY];
  const Eyy = m[TS.YY];
  out[TS.X] = (1 - Ex - Ey) / tauRec - r * U * Ex;
  out[TS.Y] = -Ey / tauIn + r * U * Ex;
  out[TS.XX] = (2 * (Ex - Exx - Exy)) / tauRec - r * U * (2 - U) * Exx;
  out[TS.XY] = (Ey - Exy - Eyy) / tauRec - Exy / tauIn + r * (U * (1 - U) * Exx - U * Exy);
  out[TS.YY] = (-2 * Eyy) / tauIn + r * (2 * U * Exy + U * U * Exx);
}

/**
 * Stationary three-state moments at rate r (TS layout): the means of threeStateStationary and the
 * second moments from the linear 3×3 system dE[x²]/dt = dE[xy]/dt = dE[y²]/dt = 0 (Cramer).
 */
export function threeStateStationaryMoments(p: ThreeStateParams, r: number): Float64Array {
  const { U, tauIn, tauRec } = p;
  const Ex = 1 / (1 + r * U * (tauIn + tauRec));
  const Ey = r * U * tauIn * Ex;
  // Rows: coefficients of (E[x²], E[xy], E[y²]) = right-hand side.
  const a = [
    [2 / tauRec + r * U * (2 - U), 2 / tauRec, 0],
    [-r * U * (1 - U), 1 / tauRec + 1 / tauIn + r * U, 1 / tauRec],
    [-r * U * U, -2 * r * U, 2 / tauIn],
  ];
  const b = [(2 * Ex) / tauRec, Ey / tauRec, 0];
  const det3 = (q: number[][]) =>
    q[0][0] * (q[1][1] * q[2][2] - q[1][2] * q[2][1]) - q[0][1] * (q[1][0] * q[2][2] - q[1][2] * q[2][0]) + q[0][2] * (q[1][0] * q[2][1] - q[1][1] * q[2][0]);
  const D = det3(a);
  const col = (k: number) => a.map((row, i) => row.map((v, j) => (j === k ? b[i] : v)));
  const out = new Float64Array(TS.SIZE);
  out[TS.X] = Ex;
  out[TS.Y] = Ey;
  out[TS.XX] = det3(col(0)) / D;
  out[TS.XY] = det3(col(1)) / D;
  out[TS.YY] = det3(col(2)) / D;
  return out;
}

/**
 * Three-state model, exact: its jumps are linear in the state, so the means close:
 * dE[y]/dt = −E[y]/τin + rU E[x], dE[z]/dt = E[y]/τin − E[z]/τrec, E[x] = 1 − E[y] − E[z]; stationary
 * E[x] = 1/(1 + rU(τin + τrec)). Efficacy = released amount U x⁻, with E[x²] and E[w²] = U²E[x²]
 * from the exact second moments (threeStateStationaryMoments). The mean drive is E[y] = rUτin E[x].
 */
export function threeStateStationary(p: ThreeStateParams, r: number): StationarySynapse & { readonly meanY: number } {
  const m = threeStateStationaryMoments(p, r);
  const Ex = m[TS.X];
  const s = stationary(r, p.U, p.U, Ex, p.U * Ex, m[TS.XX], p.U * Ex, p.U * p.U * m[TS.XX]);
  return { ...s, meanY: m[TS.Y] };
}

/** Evaluates a stationary-state function over a list of rates (for plots of the mean-field analysis). */
export function stationaryCurve<P>(fn: (p: P, r: number) => StationarySynapse, p: P, rates: ArrayLike<number>): StationarySynapse[] {
  const out: StationarySynapse[] = [];
  for (let k = 0; k < rates.length; k++) out.push(fn(p, rates[k]));
  return out;
}
