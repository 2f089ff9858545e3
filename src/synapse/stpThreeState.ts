/**
 * Three-state depression model of Tsodyks & Markram (1997) PNAS 94:719 (docs/equations.md §3).
 * Resources are recovered (x), active (y) or inactive (z), x + y + z = 1:
 *
 *   dy/dt = −y/τin + U x⁻ δ(t − t_sp)
 *   dz/dt =  y/τin − z/τrec
 *   dx/dt =  z/τrec − U x⁻ δ(t − t_sp)
 *
 * The postsynaptic drive is proportional to y (e.g. dg/dt = −g/τs + g_max y).
 *
 * Between spikes the system is linear and solved exactly over any Δ:
 *   y(Δ) = y e^{−Δ/τin}
 *   z(Δ) = z e^{−Δ/τrec} + (y/τin) · C(Δ; τrec, τin)
 *   x(Δ) = x + (y − y(Δ)) + (z − z(Δ))          (conservation)
 * with C the convolution of two exponentials (./exact.ts expConvolution), which is exact and
 * stable through the degenerate case τin = τrec, where (y/τ)·C = y (Δ/τ) e^{−Δ/τ}.
 * Writing x through the conservation law keeps x + y + z exactly what it was (up to rounding).
 *
 * At a spike: y⁺ = y⁻ + U x⁻, x⁺ = x⁻ − U x⁻ (z unchanged). The released amount U x⁻ is what a
 * spike adds to the drive y, the analogue of the u–x model's efficacy.
 */
import { decayFactor, expConvolution } from './exact';

/** Parameters of the three-state model. */
export interface ThreeStateParams {
  /** Fraction of recovered resources activated per spike (U_SE), dimensionless in (0, 1]. */
  readonly U: number;
  /** Inactivation time constant of the active state y, seconds, > 0 (a few ms). */
  readonly tauIn: number;
  /** Recovery time constant from z to x, seconds, ≥ 0. */
  readonly tauRec: number;
}

/** Per-synapse state arrays (same length): x, y, z after the last update, time of that update (s). */
export interface ThreeStateState {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly z: Float64Array;
  readonly tLast: Float64Array;
}

/** Allocates state for n synapses at rest (x = 1, y = z = 0) at time t0 (seconds). */
export function createThreeStateState(n: number, t0 = 0): ThreeStateState {
  return {
    x: new Float64Array(n).fill(1),
    y: new Float64Array(n),
    z: new Float64Array(n),
    tLast: new Float64Array(n).fill(t0),
  };
}

/**
 * Advances synapse i exactly to time t ≥ s.tLast[i] (seconds) with no spike in between, sets
 * tLast = t, and returns ∫ y dt over [tLast, t] (seconds), which is y τin (1 − e^{−Δ/τin}):
 * the exact integral of the postsynaptic drive, for exact integration of a filter downstream.
 */
export function threeStateRelax(p: ThreeStateParams, s: ThreeStateState, i: number, t: number): number {
  const delta = t - s.tLast[i];
  s.tLast[i] = t;
  if (!(delta > 0)) return 0;
  const y0 = s.y[i];
  const z0 = s.z[i];
  const eIn = decayFactor(delta, p.tauIn);
  const y1 = y0 * eIn;
  const z1 = z0 * decayFactor(delta, p.tauRec) + (y0 / p.tauIn) * expConvolution(delta, p.tauRec, p.tauIn);
  s.x[i] += y0 - y1 + (z0 - z1);
  s.y[i] = y1;
  s.z[i] = z1;
  // ∫₀^Δ y0 e^{−s/τin} ds = y0 τin (1 − e^{−Δ/τin}); expm1 keeps short steps accurate.
  return -y0 * p.tauIn * Math.expm1(-delta / p.tauIn);
}

/**
 * A presynaptic spike at time t ≥ s.tLast[i]: relaxes, then moves U x⁻ from x to y.
 * Returns the released amount U x⁻ (the jump of y).
 */
export function threeStateOnSpike(p: ThreeStateParams, s: ThreeStateState, i: number, t: number): number {
  threeStateRelax(p, s, i, t);
  const released = p.U * s.x[i];
  s.x[i] -= released;
  s.y[i] += released;
  return released;
}

/** Convenience for tests and docs: released amounts U x⁻ of a spike train, one synapse at rest at times[0]. */
export function threeStateTrainReleases(p: ThreeStateParams, times: ArrayLike<number>): Float64Array {
  const s = createThreeStateState(1, times.length > 0 ? times[0] : 0);
  const out = new Float64Array(times.length);
  for (let k = 0; k < times.length; k++) out[k] = threeStateOnSpike(p, s, 0, times[k]);
  return out;
}
