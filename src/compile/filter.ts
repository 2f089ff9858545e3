/**
 * A projection's postsynaptic filter as step propagators, kick and output scales: the exact
 * linear-filter updates of src/synapse turned into per-step constants, shared by every engine.
 */
import { projectionName } from '../model/recording';
import type { Projection } from '../model/scenario';
import { cascadeKickScale, cascadePropagator, expConvolutionN, type CascadePropagator } from '../synapse/cascade';
import { decayFactor } from '../synapse/exact';
import {
  dualExpKickScale,
  dualExpPropagator,
  exponentialKickScale,
  exponentialPropagator,
  type DualExpPropagator,
  type ExponentialPropagator,
  type KernelNormalization,
} from '../synapse/filters';
import { KINETIC_PRESETS, kineticDecayPropagator, type KineticDecayPropagator, type KineticReceptorParams } from '../synapse/kineticReceptor';
import { FILTER_CASCADE, FILTER_DELTA, FILTER_DUAL, FILTER_EXP, FILTER_KINETIC, FILTER_SYN_KINETIC, FILTER_SYN_Y } from './codes';

export interface CompiledFilter {
  filter: number;
  kickScale: number;
  outScale: number;
  expProp: ExponentialPropagator | null;
  dualProp: DualExpPropagator | null;
  cascadeProp: CascadePropagator | null;
  postStages: number;
  synCoupling: Float64Array | null;
  synKick: Float64Array | null;
  kinetic: KineticReceptorParams | null;
  kineticDecay: KineticDecayPropagator | null;
  /**
   * run.integration 'exact': the input the membrane holds over a step, Σ_j c_j s_j over the
   * filter's stages at the step's start (exponential [g]; dual exponential and alpha [h, g]; the
   * cascade's stages in order), that makes the held-input membrane step exact (exactInputCoupling).
   * null: the output stage times outScale, held.
   */
  inputCoupling: Float64Array | null;
}

/**
 * The coupling of a current filter's stages into the membrane for run.integration 'exact'. The
 * membrane τm dV/dt = μ − V + outScale·s_S is one more exponential stage after the filter's
 * cascade (ds_k/dt = −s_k/τ_k + s_{k−1}, cascade.ts), driven by outScale·s_S/τm; over a step,
 * stage j at its start moves V by outScale/τm · P_{j→V}(dt), P the cascade response of
 * expConvolutionN to the chain (τ_1 … τ_S, τm), exact also where time constants coincide. The
 * engines step V as μ + I + (V − μ − I)e^{−dt/τm} with a held input I; dividing each coupling by
 * (1 − e^{−dt/τm}) makes that step exact without changing it. Stage order as the engines keep
 * them: rise to output.
 */
export function exactInputCoupling(stageTaus: readonly number[], outScale: number, tauM: number, dt: number): Float64Array {
  const chain = [...stageTaus, tauM];
  const S = stageTaus.length;
  const held = -Math.expm1(-dt / tauM);
  return Float64Array.from(stageTaus, (_, j) => ((outScale / tauM) * expConvolutionN(dt, chain, j, S)) / held);
}

/** Time constants of a linear filter's stages (none for delta). */
function filterTaus(f: Projection['filter']): number[] {
  switch (f.type) {
    case 'exponential':
      return [f.tau];
    case 'dual-exponential':
      return [f.tauRise, f.tauDecay];
    case 'alpha':
      return [f.tau, f.tau];
    default:
      return [];
  }
}

/**
 * Kick scale of the kernel "three-state y (τin) then the filter", normalised as a whole. The
 * one- and two-stage cases use the closed forms of the homogeneous paths, so a zero-spread
 * heterogeneous τin gives the very same kick.
 */
function threeStateKickScale(tauIn: number, taus: number[], norm: KernelNormalization): number {
  if (taus.length === 0) return exponentialKickScale({ tauS: tauIn }, norm);
  if (taus.length === 1) return dualExpKickScale({ tauRise: tauIn, tauDecay: taus[0] }, norm);
  return cascadeKickScale([tauIn, ...taus], norm);
}

/** Per-synapse kick scales and step couplings of y_s into the postsynaptic stages (FILTER_SYN_Y). */
function synapseYPlan(tauIn: Float64Array, taus: number[], norm: KernelNormalization, dt: number): { synKick: Float64Array; synCoupling: Float64Array } {
  const S = taus.length;
  const n = tauIn.length;
  const synKick = new Float64Array(n);
  const synCoupling = new Float64Array(n * (S + 1));
  const chain = [0, ...taus];
  let last = NaN;
  for (let s = 0; s < n; s++) {
    const ti = tauIn[s];
    // Consecutive synapses often share τin (zero spread, few distinct values): reuse the last result.
    if (ti === last) {
      synKick[s] = synKick[s - 1];
      for (let k = 0; k <= S; k++) synCoupling[s * (S + 1) + k] = synCoupling[(s - 1) * (S + 1) + k];
      continue;
    }
    last = ti;
    chain[0] = ti;
    synKick[s] = threeStateKickScale(ti, taus, norm);
    synCoupling[s * (S + 1)] = decayFactor(dt, ti);
    for (let k = 1; k <= S; k++) synCoupling[s * (S + 1) + k] = expConvolutionN(dt, chain, 0, k);
  }
  return { synKick, synCoupling };
}

/**
 * The postsynaptic filter. Three-state STP puts its active state y (decay τin) in front of the
 * filter, and y is linear in the releases, so it moves to the postsynaptic side as one more
 * exponential stage: delta → exponential with τ = τin, exponential τs → dual exponential with
 * rise τin and decay τs, dual exponential or alpha → the three-stage cascade (τin, τr, τd), each
 * kicked by J·(released amount) and normalised as a whole like any kernel. A heterogeneous τin
 * keeps y per synapse (FILTER_SYN_Y). A delta filter is an instantaneous pulse, integral-
 * normalised whatever `normalize` says (./conductancePulse.ts: 'peak' has no τ → 0 limit).
 */
export function compileFilter(
  p: Projection,
  tauMPost: number,
  dt: number,
  hetTauIn: Float64Array | null,
  hetStp: boolean,
  integration: 'held' | 'exact' = 'held',
): CompiledFilter {
  const norm: KernelNormalization = p.normalize ?? (p.output.type === 'current' ? 'integral' : 'peak');
  const outScale = norm === 'integral' ? tauMPost : 1;
  const none = {
    expProp: null,
    dualProp: null,
    cascadeProp: null,
    postStages: 0,
    synCoupling: null,
    synKick: null,
    kinetic: null,
    kineticDecay: null,
    inputCoupling: null,
  };
  // The validator refuses 'exact' for conductances, kinetic receptors and per-synapse filters.
  const coupling = (stageTaus: readonly number[]) =>
    integration === 'exact' && p.output.type === 'current' ? exactInputCoupling(stageTaus, outScale, tauMPost, dt) : null;
  let f = p.filter;
  if (p.stp.model === 'three-state') {
    const tauIn = p.stp.tauIn;
    if (f.type === 'kinetic') {
      throw new Error(`projection "${projectionName(p)}": three-state STP with a kinetic receptor reached the compiler (support.ts refuses it)`);
    }
    const taus = filterTaus(f);
    if (hetTauIn) {
      return {
        ...none,
        filter: FILTER_SYN_Y,
        kickScale: 1,
        outScale,
        postStages: taus.length,
        cascadeProp: taus.length > 0 ? cascadePropagator(taus, dt) : null,
        ...synapseYPlan(hetTauIn, taus, norm, dt),
      };
    }
    if (f.type === 'delta') f = { type: 'exponential', tau: tauIn };
    else if (f.type === 'exponential') f = { type: 'dual-exponential', tauRise: tauIn, tauDecay: f.tau };
    else {
      const chain = [tauIn, ...taus];
      return {
        ...none,
        filter: FILTER_CASCADE,
        kickScale: threeStateKickScale(tauIn, taus, norm),
        outScale,
        cascadeProp: cascadePropagator(chain, dt),
        inputCoupling: coupling(chain),
      };
    }
  }
  switch (f.type) {
    case 'delta':
      return { ...none, filter: FILTER_DELTA, kickScale: 1, outScale: tauMPost };
    case 'exponential': {
      const q = { tauS: f.tau };
      return {
        ...none,
        filter: FILTER_EXP,
        kickScale: exponentialKickScale(q, norm),
        outScale,
        expProp: exponentialPropagator(q, dt),
        inputCoupling: coupling([f.tau]),
      };
    }
    case 'dual-exponential':
    case 'alpha': {
      const q = f.type === 'alpha' ? { tauRise: f.tau, tauDecay: f.tau } : { tauRise: f.tauRise, tauDecay: f.tauDecay };
      return {
        ...none,
        filter: FILTER_DUAL,
        kickScale: dualExpKickScale(q, norm),
        outScale,
        dualProp: dualExpPropagator(q, dt),
        inputCoupling: coupling([q.tauRise, q.tauDecay]),
      };
    }
    case 'kinetic': {
      if (p.output.type !== 'conductance')
        throw new Error(`projection "${projectionName(p)}": a kinetic receptor without conductance output reached the compiler (support.ts refuses it)`);
      const preset = f.receptor === 'AMPA' ? KINETIC_PRESETS.ampa : f.receptor === 'GABA_A' ? KINETIC_PRESETS.gabaA : KINETIC_PRESETS.nmda;
      const kinetic: KineticReceptorParams = {
        alpha: f.alpha ?? preset.alpha,
        beta: f.beta ?? preset.beta,
        Tmax: f.Tmax ?? preset.Tmax,
        pulseDuration: f.pulseDuration ?? preset.pulseDuration,
        Erev: p.output.E,
        mgMillimolar: p.output.mgBlock?.Mg,
      };
      // Saturating gates do not sum: with per-synapse efficacies each synapse needs its own gate.
      return {
        ...none,
        filter: hetStp ? FILTER_SYN_KINETIC : FILTER_KINETIC,
        kickScale: 1,
        outScale: 1,
        kinetic,
        kineticDecay: kineticDecayPropagator(kinetic, dt),
      };
    }
  }
}

/** Where a projection's filter state lives (recording.engine.filterState, the same words in both micro engines). */
export function filterPlacement(pr: Pick<CompiledFilter, 'filter'>): string {
  switch (pr.filter) {
    case FILTER_DELTA:
      return 'none (instantaneous)';
    case FILTER_EXP:
    case FILTER_DUAL:
    case FILTER_CASCADE:
      return 'per-postsynaptic-neuron';
    case FILTER_KINETIC:
      return 'per-presynaptic-neuron';
    default:
      return 'per-synapse';
  }
}
