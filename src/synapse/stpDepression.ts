/**
 * Depression-only short-term plasticity (docs/equations.md §3;
 * Tsodyks & Markram 1997 PNAS 94:719 with instantaneous inactivation):
 *
 *   dx/dt = (1 − x)/τD − U x⁻ δ(t − t_sp),   efficacy w = U x⁻,   x⁺ = x⁻(1 − U).
 *
 * It equals the u–x model (./stpTsodyksMarkram.ts) with τF = 0 and U0 = 0, but needs one state
 * variable instead of two, which is what the engines should use when there is no facilitation.
 * Between spikes x(t+Δ) = 1 + (x − 1)e^{−Δ/τD} exactly; state is touched only at spikes.
 */
import { decayFactor } from './exact';

/** Parameters of the depression-only model. */
export interface DepressionParams {
  /** Fraction of the available resources released per spike, dimensionless in (0, 1]. */
  readonly U: number;
  /** Recovery time constant, seconds, ≥ 0 (0: x = 1 at every spike after Δ > 0; static synapse w = U). */
  readonly tauD: number;
}

/** Per-synapse state arrays: x right after the last update, and the time of that update (s). */
export interface DepressionState {
  readonly x: Float64Array;
  readonly tLast: Float64Array;
}

/** Allocates state for n synapses, all recovered (x = 1) at time t0 (seconds). */
export function createDepressionState(n: number, t0 = 0): DepressionState {
  const s: DepressionState = { x: new Float64Array(n).fill(1), tLast: new Float64Array(n).fill(t0) };
  return s;
}

/** Advances synapse i exactly to time t ≥ s.tLast[i] (seconds) with no spike in between. */
export function depressionRelax(p: DepressionParams, s: DepressionState, i: number, t: number): void {
  s.x[i] = 1 + (s.x[i] - 1) * decayFactor(t - s.tLast[i], p.tauD);
  s.tLast[i] = t;
}

/**
 * A presynaptic spike at time t ≥ s.tLast[i]: relaxes, returns the efficacy w = U x⁻ and leaves
 * x⁺ = x⁻(1 − U).
 */
export function depressionOnSpike(p: DepressionParams, s: DepressionState, i: number, t: number): number {
  depressionRelax(p, s, i, t);
  const xMinus = s.x[i];
  const w = p.U * xMinus;
  s.x[i] = xMinus - w;
  return w;
}

/** Convenience for tests and docs: efficacies of a spike train for one synapse at rest at times[0]. */
export function depressionTrainEfficacies(p: DepressionParams, times: ArrayLike<number>): Float64Array {
  const s = createDepressionState(1, times.length > 0 ? times[0] : 0);
  const out = new Float64Array(times.length);
  for (let k = 0; k < times.length; k++) out[k] = depressionOnSpike(p, s, 0, times[k]);
  return out;
}
