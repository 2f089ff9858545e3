/**
 * The Tsodyks–Markram u–x model of short-term plasticity (docs/equations.md §3), event-driven and exact.
 *
 *   between spikes:  du/dt = (U0 − u)/τF,   dx/dt = (1 − x)/τD
 *   at a spike:      u⁺ = u⁻ + U(1 − u⁻);  efficacy w = u⁺ x⁻;  x⁺ = x⁻ − u⁺ x⁻
 *
 * Sources: Tsodyks, Pawelzik & Markram (1998) Neural Comput. 10:821 (U0 = 0: the first spike
 * after rest has u⁺ = U); Markram, Wang & Tsodyks (1998) PNAS 95:5323 and Mongillo, Barak &
 * Tsodyks (2008) Science 319:1543 (U0 = U: u rests at U and the spike-triggered increment is
 * applied on top, so the first spike after rest has u⁺ = U + U(1 − U) = U(2 − U)).
 * Both conventions are the same equations with a different U0; pick one with `U0`.
 *
 * Between spikes the solution is exact, u(t+Δ) = U0 + (u − U0)e^{−Δ/τF},
 * x(t+Δ) = 1 + (x − 1)e^{−Δ/τD}, so the state is only touched at spikes: each synapse stores
 * (u, x) right after its last update and the time tLast of that update. No work between spikes.
 *
 * State lives in the caller's arrays (struct of arrays, one entry per presynaptic neuron when
 * the parameters are homogeneous, per synapse otherwise); the functions take the arrays and an
 * index, update in place and return a scalar. Nothing allocates except createTmState and the
 * convenience wrapper tmTrainEfficacies.
 */
import { decayFactor } from './exact';

/** Parameters of the u–x model. */
export interface TmParams {
  /** Utilisation increment per spike, dimensionless in (0, 1]. */
  readonly U: number;
  /**
   * Resting value of u, dimensionless in [0, 1]. 0: Tsodyks, Pawelzik & Markram (1998);
   * U: Markram, Wang & Tsodyks (1998) and Mongillo et al. (2008).
   */
  readonly U0: number;
  /**
   * Recovery time constant of the resources x, seconds, ≥ 0. τD = 0 is the exact limit τD → 0⁺:
   * x has recovered to 1 at every spike that is separated from the previous one by Δ > 0
   * (pure facilitation, w = u⁺).
   */
  readonly tauD: number;
  /**
   * Relaxation time constant of u, seconds, ≥ 0. τF = 0 is the exact limit τF → 0⁺: u has
   * relaxed to U0 at every spike separated from the previous one by Δ > 0, so every such spike
   * uses u⁺ = U0 + U(1 − U0) — that is U when U0 = 0 (pure depression with release fraction U)
   * but U(2 − U) when U0 = U. Spikes at the same instant (Δ = 0) still see u⁺ of the previous
   * one, as the limit demands (no time to relax).
   */
  readonly tauF: number;
}

/** Per-synapse state arrays of the u–x model (struct of arrays, same length). */
export interface TmState {
  /** u right after the last update (the last spike's u⁺, or U0 at rest). */
  readonly u: Float64Array;
  /** x right after the last update. */
  readonly x: Float64Array;
  /** Time of the last update, seconds. */
  readonly tLast: Float64Array;
}

/** The Tsodyks–Pawelzik–Markram (1998) convention: U0 = 0. */
export function tmParamsTpm(U: number, tauD: number, tauF: number): TmParams {
  return { U, U0: 0, tauD, tauF };
}

/** The Markram–Wang–Tsodyks (1998) / Mongillo et al. (2008) convention: U0 = U. */
export function tmParamsMongillo(U: number, tauD: number, tauF: number): TmParams {
  return { U, U0: U, tauD, tauF };
}

/**
 * u⁺ of a spike that arrives after the synapse has fully relaxed (u⁻ = U0):
 * U0 + U(1 − U0). It is also the constant u⁺ of every spike when τF = 0.
 */
export function tmRestingUPlus(p: TmParams): number {
  return p.U0 + p.U * (1 - p.U0);
}

/** Allocates state for n synapses, all at rest (u = U0, x = 1) at time t0 (seconds). */
export function createTmState(p: TmParams, n: number, t0 = 0): TmState {
  const s: TmState = { u: new Float64Array(n), x: new Float64Array(n), tLast: new Float64Array(n) };
  for (let i = 0; i < n; i++) tmReset(p, s, i, t0);
  return s;
}

/** Puts synapse i at rest (u = U0, x = 1) at time t (seconds). */
export function tmReset(p: TmParams, s: TmState, i: number, t: number): void {
  s.u[i] = p.U0;
  s.x[i] = 1;
  s.tLast[i] = t;
}

/**
 * Advances synapse i exactly from s.tLast[i] to time t ≥ s.tLast[i] (seconds) with no spike in
 * between, and sets tLast = t. Relaxing to a and then to b equals relaxing to b directly
 * (up to rounding), so engines may call it at any time, e.g. to read the state.
 */
export function tmRelax(p: TmParams, s: TmState, i: number, t: number): void {
  const delta = t - s.tLast[i];
  const eF = decayFactor(delta, p.tauF);
  const eD = decayFactor(delta, p.tauD);
  s.u[i] = p.U0 + (s.u[i] - p.U0) * eF;
  s.x[i] = 1 + (s.x[i] - 1) * eD;
  s.tLast[i] = t;
}

/**
 * A presynaptic spike of synapse i at time t ≥ s.tLast[i] (seconds): relaxes to t, then applies
 * u⁺ = u⁻ + U(1 − u⁻), w = u⁺x⁻, x⁺ = x⁻ − u⁺x⁻ (in this order). Returns the efficacy w of this
 * spike (dimensionless, the fraction of all resources released), which multiplies J.
 */
export function tmOnSpike(p: TmParams, s: TmState, i: number, t: number): number {
  tmRelax(p, s, i, t);
  const uPlus = s.u[i] + p.U * (1 - s.u[i]);
  const xMinus = s.x[i];
  const w = uPlus * xMinus;
  s.u[i] = uPlus;
  s.x[i] = xMinus - w;
  return w;
}

/**
 * Convenience for tests and docs: efficacies of the spikes at the given (non-decreasing) times,
 * for one synapse starting at rest at time `times[0]` (or at 0 if there are no spikes).
 */
export function tmTrainEfficacies(p: TmParams, times: ArrayLike<number>): Float64Array {
  const s = createTmState(p, 1, times.length > 0 ? times[0] : 0);
  const out = new Float64Array(times.length);
  for (let k = 0; k < times.length; k++) out[k] = tmOnSpike(p, s, 0, times[k]);
  return out;
}

/**
 * Published parameter sets (docs/equations.md §3). Times in seconds.
 * - depressing: pyramidal→pyramidal, Markram, Wang & Tsodyks (1998): U ≈ 0.5, τD ≈ 0.8 s, no
 *   facilitation (τF = 0).
 * - facilitating: pyramidal→interneuron, Markram, Wang & Tsodyks (1998): U ≈ 0.03,
 *   τD ≈ 0.13 s, τF ≈ 0.53 s. Used with U0 = 0 in Schmutz et al. (2020) and docs/equations.md §5.
 * - workingMemory: Mongillo, Barak & Tsodyks (2008): U = 0.2, τD = 0.2 s, τF = 1.5 s, U0 = U.
 * The U0 convention of the first two is our choice (see docs/equations.md §3); pass another with
 * `{ ...preset, U0 }`.
 */
export const TM_PRESETS = {
  depressing: { U: 0.5, U0: 0, tauD: 0.8, tauF: 0 },
  facilitating: { U: 0.03, U0: 0, tauD: 0.13, tauF: 0.53 },
  workingMemory: { U: 0.2, U0: 0.2, tauD: 0.2, tauF: 1.5 },
} as const satisfies Record<string, TmParams>;
