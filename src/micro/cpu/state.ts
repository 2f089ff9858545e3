/**
 * Per-trial state of a compiled network for a block of T trials, laid out [trial × element]
 * so that every per-step loop runs over one contiguous T·N range. Allocated once per run.
 */
import { createKineticState, type KineticState } from '../../synapse/kineticReceptor';
import { createDepressionState, type DepressionState } from '../../synapse/stpDepression';
import { createThreeStateState, type ThreeStateState } from '../../synapse/stpThreeState';
import { createTmState, type TmParams, type TmState } from '../../synapse/stpTsodyksMarkram';
import { FILTER_DUAL, FILTER_EXP, FILTER_KINETIC, NEURON_POISSON, STP_DEPRESSION, STP_THREE_STATE, STP_TM, type Network, type PopulationPlan, type ProjectionPlan } from './network';

export interface PopulationState {
  readonly V: Float64Array;
  /** Refractory steps left (the current step included). */
  readonly ref: Int32Array;
  /** Adaptation variables a_k, [trial × neuron × kernel]. */
  readonly adapt: Float64Array;
  /** Input accumulators of the current step: current-based input (mV), Σ g·B, Σ g·B·E. */
  readonly Icur: Float64Array;
  readonly G: Float64Array;
  readonly GE: Float64Array;
  /** Σ J·w of delta synapses delivered this step (for the recorded input). */
  readonly deltaIn: Float64Array;
  /** I_n of every neuron (only filled when the population's input is recorded). */
  readonly inputNow: Float64Array;
  /** Flat indices trial·N + i of this step's spikes. */
  readonly spikes: Int32Array;
  spikeCount: number;
}

export interface ProjectionState {
  /** Delay ring, (delaySteps + 1) slots × T × nPost (kinetic: × nPre, NaN = no arrival). */
  readonly ring: Float64Array;
  /** Linear filter g (output) and h (dual exponential's first stage); kinetic: g is the step's summed Σ s̄. */
  readonly g: Float64Array;
  readonly h: Float64Array;
  readonly tm: TmState | null;
  readonly dep: DepressionState | null;
  readonly three: ThreeStateState | null;
  readonly gates: KineticState | null;
  /** Transmitter amplitude of each gate's current pulse (Tmax·w). */
  readonly gateAmp: Float64Array;
  /** Step mean of each gate, ∫s/dt over the current step. */
  readonly gateMean: Float64Array;
}

const EMPTY = new Float64Array(0);

function populationState(p: PopulationPlan, T: number, recordInput: boolean): PopulationState {
  const n = T * p.N;
  const neuron = p.model !== NEURON_POISSON;
  const hasInput = p.incoming.length > 0;
  return {
    V: neuron ? new Float64Array(n).fill(p.V0) : EMPTY,
    ref: new Int32Array(neuron ? n : 0),
    adapt: new Float64Array(n * p.adaptDecay.length),
    Icur: hasInput ? new Float64Array(n) : EMPTY,
    G: p.conductanceInput ? new Float64Array(n) : EMPTY,
    GE: p.conductanceInput ? new Float64Array(n) : EMPTY,
    deltaIn: p.deltaInput ? new Float64Array(n) : EMPTY,
    inputNow: recordInput ? new Float64Array(n) : EMPTY,
    spikes: new Int32Array(n),
    spikeCount: 0,
  };
}

function projectionState(pr: ProjectionPlan, T: number): ProjectionState {
  const kinetic = pr.filter === FILTER_KINETIC;
  const slots = pr.delaySteps + 1;
  const perPre = pr.stpPlacement === 'per-presynaptic-neuron';
  const nStp = T * (perPre ? pr.nPre : pr.nSyn);
  const hasStp = pr.stpPlacement !== 'none';
  return {
    ring: kinetic ? new Float64Array(slots * T * pr.nPre).fill(NaN) : new Float64Array(slots * T * pr.nPost),
    g: pr.filter === FILTER_EXP || pr.filter === FILTER_DUAL || kinetic ? new Float64Array(T * pr.nPost) : EMPTY,
    h: pr.filter === FILTER_DUAL ? new Float64Array(T * pr.nPost) : EMPTY,
    tm: hasStp && pr.stpModel === STP_TM ? createTmInitial(pr, nStp, perPre) : null,
    dep: hasStp && pr.stpModel === STP_DEPRESSION ? createDepressionState(nStp, 0) : null,
    three: hasStp && pr.stpModel === STP_THREE_STATE ? createThreeStateState(nStp, 0) : null,
    gates: kinetic ? createKineticState(T * pr.nPre, 0) : null,
    gateAmp: kinetic ? new Float64Array(T * pr.nPre) : EMPTY,
    gateMean: kinetic ? new Float64Array(T * pr.nPre) : EMPTY,
  };
}

/** u–x state at rest: u = U0 (per synapse when U0 is heterogeneous), x = 1. */
function createTmInitial(pr: ProjectionPlan, n: number, perPre: boolean): TmState {
  const st = createTmState(pr.stpParams as TmParams, n, 0);
  const u0 = pr.synStp.U0;
  if (!perPre && u0) for (let k = 0; k < n; k++) st.u[k] = u0[k % pr.nSyn];
  return st;
}

export interface NetworkState {
  readonly T: number;
  readonly populations: PopulationState[];
  readonly projections: ProjectionState[];
}

export function createNetworkState(net: Network, T: number, recordInput: (pop: number) => boolean): NetworkState {
  return {
    T,
    populations: net.populations.map((p, i) => populationState(p, T, recordInput(i))),
    projections: net.projections.map((pr) => projectionState(pr, T)),
  };
}
