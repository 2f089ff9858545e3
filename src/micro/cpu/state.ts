/**
 * Per-trial state of a compiled network for a block of T trials, laid out [trial × element]
 * so that every per-step loop runs over one contiguous T·N range. Allocated once per run.
 */
import { createKineticState, type KineticState } from '../../synapse/kineticReceptor';
import {
  FILTER_CASCADE,
  FILTER_DELTA,
  FILTER_DUAL,
  FILTER_EXP,
  FILTER_KINETIC,
  FILTER_SYN_KINETIC,
  FILTER_SYN_Y,
  NEURON_POISSON,
  type Network,
  type CompiledPopulation,
  trialConnectivity,
  type CompiledProjection,
} from '../../compile';
import type { Csr } from '../../compile';
import { POISSON_EVENTS_MAX_K, PoissonEventTables } from '../../rng/poissonEvents';
import { StpStore } from './stpStore';

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
  /**
   * Σ J·w of delta current synapses delivered this step; where conductance pulses arrive too, the
   * jump V⁺ − V⁻ they all cause together (for the recorded input).
   */
  readonly deltaIn: Float64Array;
  /** This step's unblocked conductance pulses: Σ J·w and Σ J·w·E (pulse input only). */
  readonly pulseW: Float64Array;
  readonly pulseWE: Float64Array;
  /** One neuron's blocked pulse weights, one per blocked projection (scratch of the jump). */
  readonly blockedW: Float64Array;
  /** I_n of every neuron (only filled when the population's input is recorded). */
  readonly inputNow: Float64Array;
  /** Flat indices trial·N + i of this step's spikes. */
  readonly spikes: Int32Array;
  spikeCount: number;
  /** Event-scheme Poisson populations: the step's CDF tables, and one trial's spiking neurons (scratch). */
  readonly events: { tables: PoissonEventTables; chosen: Int32Array } | null;
}

export interface ProjectionState {
  /**
   * Delay ring, (delaySteps + 1) slots × T × nPost (kinetic: × nPre, NaN = no arrival). Per-synapse
   * filters (SYN_*) store each step's output per postsynaptic neuron in it instead of kicks.
   */
  readonly ring: Float64Array;
  /** The ring's slots as views (per-synapse filters read a whole slot as their output). */
  readonly slots: Float64Array[];
  /**
   * Linear filter g (output), h (the stage before it), y (the stage before h in the three-state
   * cascade); kinetic: g is the step's summed Σ J s̄; delta with an NMDA block: this step's pulses.
   */
  readonly g: Float64Array;
  readonly h: Float64Array;
  readonly y: Float64Array;
  /** The cascade's stage arrays in order (FILTER_CASCADE: y, h, g; FILTER_SYN_Y: the postsynaptic stages). */
  readonly stages: Float64Array[];
  /** A linear filter's stages from the kicked one to the output (exponential [g], dual [h, g], cascade [y, h, g]): what run.integration 'exact' couples. */
  readonly filterStages: Float64Array[];
  /** FILTER_SYN_Y: each synapse's y in the postsynaptic scale (J·kick·Σ released, decaying with τin), [trial × synapse]. */
  readonly synY: Float64Array;
  /** STP state (null without STP): per presynaptic neuron or per synapse, [trial × entry]. */
  readonly stp: StpStore | null;
  readonly gates: KineticState | null;
  /** Transmitter amplitude of each gate's current pulse (Tmax·w); gates per presynaptic neuron, or per synapse (SYN_KINETIC). */
  readonly gateAmp: Float64Array;
  /** Step mean of each gate, ∫s/dt over the current step. */
  readonly gateMean: Float64Array;
  /** connectivity.perTrial: the network of each trial of the block. */
  readonly csrs: Csr[];
}

const EMPTY = new Float64Array(0);

function populationState(p: CompiledPopulation, T: number, recordInput: boolean): PopulationState {
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
    pulseW: p.pulseInput ? new Float64Array(n) : EMPTY,
    pulseWE: p.pulseInput ? new Float64Array(n) : EMPTY,
    blockedW: new Float64Array(p.blockedPulses.length),
    inputNow: recordInput ? new Float64Array(n) : EMPTY,
    spikes: new Int32Array(n),
    spikeCount: 0,
    events: p.poissonEvents ? { tables: new PoissonEventTables(p.N), chosen: new Int32Array(POISSON_EVENTS_MAX_K) } : null,
  };
}

function projectionState(pr: CompiledProjection, T: number, trialFrom: number): ProjectionState {
  const f = pr.filter;
  const kinetic = f === FILTER_KINETIC;
  const synKinetic = f === FILTER_SYN_KINETIC;
  const slots = pr.delaySteps + 1;
  const perPre = pr.stpPlacement === 'per-presynaptic-neuron';
  const nStp = T * (perPre ? pr.nPre : pr.nSyn);
  const hasStp = pr.stpPlacement !== 'none';
  const nPost = T * pr.nPost;
  const slotLen = T * (kinetic ? pr.nPre : pr.nPost);
  const ring = kinetic ? new Float64Array(slots * slotLen).fill(NaN) : new Float64Array(slots * slotLen);
  const S = pr.postStages;
  const needsG =
    f === FILTER_EXP || f === FILTER_DUAL || f === FILTER_CASCADE || kinetic || (f === FILTER_SYN_Y && S >= 1) || (f === FILTER_DELTA && pr.mg > 0);
  const g = needsG ? new Float64Array(nPost) : EMPTY;
  const h = f === FILTER_DUAL || f === FILTER_CASCADE || (f === FILTER_SYN_Y && S === 2) ? new Float64Array(nPost) : EMPTY;
  const y = f === FILTER_CASCADE ? new Float64Array(nPost) : EMPTY;
  const stages = f === FILTER_CASCADE ? [y, h, g] : f === FILTER_SYN_Y ? (S === 2 ? [h, g] : S === 1 ? [g] : []) : [];
  const filterStages = f === FILTER_EXP ? [g] : f === FILTER_DUAL ? [h, g] : f === FILTER_CASCADE ? stages : [];
  const nGates = kinetic ? T * pr.nPre : synKinetic ? T * pr.nSyn : 0;
  return {
    ring,
    slots: Array.from({ length: slots }, (_, k) => ring.subarray(k * slotLen, (k + 1) * slotLen)),
    g,
    h,
    y,
    stages,
    filterStages,
    synY: f === FILTER_SYN_Y ? new Float64Array(T * pr.nSyn) : EMPTY,
    stp: hasStp ? new StpStore(pr, nStp) : null,
    gates: nGates > 0 ? createKineticState(nGates, 0) : null,
    gateAmp: new Float64Array(nGates),
    gateMean: kinetic ? new Float64Array(nGates) : EMPTY,
    csrs: pr.perTrial ? Array.from({ length: T }, (_, b) => trialConnectivity(pr, trialFrom + b)) : [],
  };
}

export interface NetworkState {
  readonly T: number;
  readonly populations: PopulationState[];
  readonly projections: ProjectionState[];
}

/** State of trials [trialFrom, trialFrom + T) (the global index picks each trial's network under connectivity.perTrial). */
export function createNetworkState(net: Network, T: number, recordInput: (pop: number) => boolean, trialFrom = 0): NetworkState {
  return {
    T,
    populations: net.populations.map((p, i) => populationState(p, T, recordInput(i))),
    projections: net.projections.map((pr) => projectionState(pr, T, trialFrom)),
  };
}
