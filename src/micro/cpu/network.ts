/**
 * The compile step: a validated Scenario becomes flat, trial-independent arrays and constants
 * (population layout, CSR connectivity, per-synapse parameters, delays in steps, exact filter
 * propagators, kick and output scales). Everything here is shared by all trials; the per-trial
 * state lives in ./state.ts. Combinations the engine does not implement throw a clear error.
 */
import seedrandom from 'seedrandom';
import type { Population, Projection, Scenario, TimeFunction } from '../../model/scenario';
import { projectionName } from '../../model/recording';
import { MAX_EXPLICIT_SYNAPSES, synapseCount } from '../../model/validate';
import { cascadeKickScale, cascadePropagator, expConvolutionN, type CascadePropagator } from '../../synapse/cascade';
import { decayFactor } from '../../synapse/exact';
import {
  dualExpKickScale,
  dualExpPropagator,
  exponentialKickScale,
  exponentialPropagator,
  type DualExpPropagator,
  type ExponentialPropagator,
  type KernelNormalization,
} from '../../synapse/filters';
import { KINETIC_PRESETS, kineticDecayPropagator, type KineticDecayPropagator, type KineticReceptorParams } from '../../synapse/kineticReceptor';
import type { DepressionParams } from '../../synapse/stpDepression';
import type { ThreeStateParams } from '../../synapse/stpThreeState';
import type { TmParams } from '../../synapse/stpTsodyksMarkram';
import { buildConnectivity, type Csr } from './connectivity';
import { drawHeterogeneity, type HeterogeneousParam } from './heterogeneity';

export const NEURON_POISSON = 0;
export const NEURON_GLIF = 1;
export const NEURON_LIF = 2;

/**
 * Delta: the delivered J·w jumps V (current) or is an instantaneous conductance pulse.
 * Exp/dual/cascade: linear filter state per postsynaptic neuron, kicked at arrival.
 * Kinetic: gates per presynaptic neuron, pulses started at arrival.
 * SYN_*: state per synapse (three-state y with heterogeneous τin; kinetic gates with
 * heterogeneous STP), advanced in presynaptic time; each step's output per postsynaptic neuron
 * goes into the delay ring and is read delay steps later (docs/step-semantics.md).
 */
export const FILTER_DELTA = 0;
export const FILTER_EXP = 1;
export const FILTER_DUAL = 2;
export const FILTER_KINETIC = 3;
/** Three-state y (τin) in front of a dual-exponential or alpha filter: the stages y → h → g. */
export const FILTER_CASCADE = 4;
export const FILTER_SYN_Y = 5;
export const FILTER_SYN_KINETIC = 6;

export const STP_NONE = 0;
export const STP_TM = 1;
export const STP_DEPRESSION = 2;
export const STP_THREE_STATE = 3;

export type StpPlacement = 'none' | 'per-presynaptic-neuron' | 'per-synapse';

export interface PopulationPlan {
  readonly name: string;
  /** Position in Object.keys(scenario.populations): the Philox stream. */
  readonly index: number;
  readonly model: number;
  readonly N: number;
  /** Poisson: the rate r(t) (Hz); neurons: the drive μ(t) (mV). */
  readonly drive: TimeFunction;
  readonly tauM: number;
  /** e^{−dt/τm}. */
  readonly decayM: number;
  readonly uReset: number;
  readonly uTh: number;
  readonly c: number;
  readonly deltaU: number;
  /** round(tRef/dt). */
  readonly refSteps: number;
  readonly restPotential: number;
  readonly V0: number;
  /** e^{−dt/τk} and J_k/τk of each adaptation kernel. */
  readonly adaptDecay: Float64Array;
  readonly adaptKick: Float64Array;
  readonly incoming: number[];
  readonly outgoing: number[];
  /** Some incoming projection is conductance-based (needs the per-neuron exact COBA update). */
  readonly conductanceInput: boolean;
  readonly deltaInput: boolean;
  /** Some incoming delta projection has conductance output: delta events are applied together after delivery. */
  readonly pulseInput: boolean;
  /** Incoming delta conductance projections with an NMDA block, and their E (mV) and [Mg²⁺] (mM). */
  readonly blockedPulses: number[];
  readonly blockedPulseE: Float64Array;
  readonly blockedPulseMg: Float64Array;
}

export interface ProjectionPlan {
  readonly name: string;
  readonly index: number;
  readonly pre: number;
  readonly post: number;
  readonly nPre: number;
  readonly nPost: number;
  readonly csr: Csr;
  readonly nSyn: number;
  readonly delaySteps: number;
  readonly filter: number;
  /** Multiplies J·w at a kick (normalisation of the kernel). */
  readonly kickScale: number;
  /** Multiplies the filter output into the input: τm (post) for 'integral', 1 for 'peak'. */
  readonly outScale: number;
  readonly expProp: ExponentialPropagator | null;
  readonly dualProp: DualExpPropagator | null;
  /** FILTER_CASCADE: the stages y → h → g; FILTER_SYN_Y: the postsynaptic stages after y (null if none). */
  readonly cascadeProp: CascadePropagator | null;
  /** FILTER_SYN_Y: number of postsynaptic stages S after the per-synapse y (0 delta, 1 exponential, 2 dual/alpha). */
  readonly postStages: number;
  /**
   * FILTER_SYN_Y, per synapse s, stride S + 1: e^{−dt/τin_s}, then the exact step coupling of
   * y_s into each postsynaptic stage k = 1 … S (entry P_k0 of the cascade (τin_s, filter τs)).
   */
  readonly synCoupling: Float64Array | null;
  /** FILTER_SYN_Y: kick scale of each synapse's kernel (normalised with its own τin). */
  readonly synKick: Float64Array | null;
  readonly kinetic: KineticReceptorParams | null;
  /** Kinetic: the gate's exact step once its pulse is over. */
  readonly kineticDecay: KineticDecayPropagator | null;
  readonly conductance: boolean;
  readonly E: number;
  /** [Mg²⁺] in mM of the NMDA block; 0: no block. */
  readonly mg: number;
  readonly stpModel: number;
  readonly stpParams: TmParams | DepressionParams | ThreeStateParams | null;
  readonly stpPlacement: StpPlacement;
  /** Per-synapse STP parameters (per-synapse placement only; unlisted ones are filled with the nominal value). */
  readonly synStp: Partial<Record<'U' | 'U0' | 'tauD' | 'tauF' | 'tauIn' | 'tauRec', Float64Array>>;
  readonly weight: number;
  /** Per-synapse J when the weight is heterogeneous. */
  readonly synWeight: Float64Array | null;
  /** What the scenario asked for; the CPU engine always stores the synapses explicitly. */
  readonly storage: 'explicit' | 'procedural';
  /**
   * Every trial draws its own network (connectivity.perTrial): csr is empty, nSyn the expected
   * count, and trialConnectivity(plan, trial) builds the network of one trial.
   */
  readonly perTrial: boolean;
  /** Connectivity seed and recurrence, for trialConnectivity. */
  readonly connectivitySeed: string;
  readonly connectivity: Projection['connectivity'];
  readonly recurrent: boolean;
}

export interface Network {
  readonly dt: number;
  readonly steps: number;
  readonly populations: PopulationPlan[];
  readonly projections: ProjectionPlan[];
  readonly populationIndex: Map<string, number>;
}

const STP_KEYS = ['U', 'U0', 'tauD', 'tauF', 'tauIn', 'tauRec'] as const;

function unsupported(p: Projection, what: string): never {
  throw new Error(`micro-cpu: projection "${projectionName(p)}": ${what}`);
}

export function compilePopulation(name: string, index: number, p: Population, dt: number): PopulationPlan {
  const base = {
    name, index, N: p.N, incoming: [] as number[], outgoing: [] as number[], conductanceInput: false, deltaInput: false, pulseInput: false,
    blockedPulses: [] as number[], blockedPulseE: new Float64Array(0), blockedPulseMg: new Float64Array(0),
  };
  if (p.model === 'poisson') {
    return {
      ...base, model: NEURON_POISSON, drive: p.rate, tauM: 1, decayM: 0, uReset: 0, uTh: 0, c: 0, deltaU: 1, refSteps: 0,
      restPotential: 0, V0: 0, adaptDecay: new Float64Array(0), adaptKick: new Float64Array(0),
    };
  }
  const adaptation = p.model === 'glif' ? p.adaptation : [];
  return {
    ...base,
    model: p.model === 'glif' ? NEURON_GLIF : NEURON_LIF,
    drive: p.mu,
    tauM: p.tauM,
    decayM: Math.exp(-dt / p.tauM),
    uReset: p.uReset,
    uTh: p.uTh,
    c: p.model === 'glif' ? p.c : 0,
    deltaU: p.model === 'glif' ? p.deltaU : 1,
    refSteps: Math.round(p.tRef / dt),
    restPotential: p.restPotential,
    V0: p.V0 ?? p.uReset,
    adaptDecay: Float64Array.from(adaptation, (k) => Math.exp(-dt / k.tau)),
    adaptKick: Float64Array.from(adaptation, (k) => k.J / k.tau),
  };
}

interface FilterPlan {
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
export function compileFilter(p: Projection, tauMPost: number, dt: number, hetTauIn: Float64Array | null, hetStp: boolean): FilterPlan {
  const norm: KernelNormalization = p.normalize ?? (p.output.type === 'current' ? 'integral' : 'peak');
  const outScale = norm === 'integral' ? tauMPost : 1;
  const none = { expProp: null, dualProp: null, cascadeProp: null, postStages: 0, synCoupling: null, synKick: null, kinetic: null, kineticDecay: null };
  let f = p.filter;
  if (p.stp.model === 'three-state') {
    const tauIn = p.stp.tauIn;
    if (f.type === 'kinetic') {
      unsupported(p, 'three-state STP with a kinetic receptor is not supported: what the active state y would do to a transmitter pulse is a modelling choice the scenario format does not make; use a linear filter (delta, exponential, dual-exponential, alpha) for three-state STP, or tsodyks-markram/depression STP with a kinetic receptor');
    }
    const taus = filterTaus(f);
    if (hetTauIn) {
      return { ...none, filter: FILTER_SYN_Y, kickScale: 1, outScale, postStages: taus.length, cascadeProp: taus.length > 0 ? cascadePropagator(taus, dt) : null, ...synapseYPlan(hetTauIn, taus, norm, dt) };
    }
    if (f.type === 'delta') f = { type: 'exponential', tau: tauIn };
    else if (f.type === 'exponential') f = { type: 'dual-exponential', tauRise: tauIn, tauDecay: f.tau };
    else {
      const chain = [tauIn, ...taus];
      return { ...none, filter: FILTER_CASCADE, kickScale: threeStateKickScale(tauIn, taus, norm), outScale, cascadeProp: cascadePropagator(chain, dt) };
    }
  }
  switch (f.type) {
    case 'delta':
      return { ...none, filter: FILTER_DELTA, kickScale: 1, outScale: tauMPost };
    case 'exponential': {
      const q = { tauS: f.tau };
      return { ...none, filter: FILTER_EXP, kickScale: exponentialKickScale(q, norm), outScale, expProp: exponentialPropagator(q, dt) };
    }
    case 'dual-exponential':
    case 'alpha': {
      const q = f.type === 'alpha' ? { tauRise: f.tau, tauDecay: f.tau } : { tauRise: f.tauRise, tauDecay: f.tauDecay };
      return { ...none, filter: FILTER_DUAL, kickScale: dualExpKickScale(q, norm), outScale, dualProp: dualExpPropagator(q, dt) };
    }
    case 'kinetic': {
      if (p.output.type !== 'conductance') unsupported(p, 'a kinetic receptor needs conductance output');
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
      return { ...none, filter: hetStp ? FILTER_SYN_KINETIC : FILTER_KINETIC, kickScale: 1, outScale: 1, kinetic, kineticDecay: kineticDecayPropagator(kinetic, dt) };
    }
  }
}

export interface CompileOptions {
  /**
   * Leave procedural projections without a CSR (the GPU engine regenerates their targets): their
   * csr is empty and nSyn the expected synapse count. The CPU engine builds them explicitly.
   */
  proceduralWithoutCsr?: boolean;
}

const EMPTY_CSR: Csr = { rowStart: new Int32Array(0), targets: new Int32Array(0) };

function compileProjection(p: Projection, index: number, s: Scenario, pops: PopulationPlan[], popIndex: Map<string, number>, options: CompileOptions): ProjectionPlan {
  const dt = s.run.dt;
  const pre = popIndex.get(p.from);
  const post = popIndex.get(p.to);
  if (pre === undefined || post === undefined) unsupported(p, `unknown population "${pre === undefined ? p.from : p.to}"`);
  const postPop = pops[post];
  if (postPop.model === NEURON_POISSON) unsupported(p, `"${p.to}" is a Poisson source and takes no input`);
  const nPre = pops[pre].N;
  const nPost = postPop.N;
  // Procedural storage regenerates the targets on the GPU instead of storing them; the network it
  // describes is the same random graph, so the CPU engine builds it explicitly, if it fits.
  const regenerated = p.storage === 'procedural' && options.proceduralWithoutCsr === true;
  if (p.storage === 'procedural' && !regenerated && synapseCount(p, nPre, nPost) > MAX_EXPLICIT_SYNAPSES) {
    unsupported(p, `${synapseCount(p, nPre, nPost).toExponential(2)} synapses exceed the ${MAX_EXPLICIT_SYNAPSES} the CPU engine can store explicitly; procedural storage of that many synapses needs the GPU engine`);
  }
  if (regenerated && p.heterogeneity && Object.keys(p.heterogeneity).length > 0) {
    unsupported(p, 'procedural storage regenerates the targets but keeps no per-synapse parameters; heterogeneity needs "storage": "explicit"');
  }
  const perTrial = p.connectivity.type !== 'all-to-all' && p.connectivity.perTrial;
  if (perTrial && p.heterogeneity && Object.keys(p.heterogeneity).length > 0) {
    unsupported(p, 'a network redrawn for every trial keeps no per-synapse parameters; remove "heterogeneity" or set connectivity.perTrial to false');
  }
  const connectivitySeed = `${s.run.seed}:connectivity:${index}`;
  const csr = regenerated || perTrial ? EMPTY_CSR : buildConnectivity(p.connectivity, nPre, nPost, p.from === p.to, seedrandom(connectivitySeed));
  const nSyn = regenerated || perTrial ? Math.round(synapseCount(p, nPre, nPost)) : csr.targets.length;
  const delaySteps = Math.round(p.delay / dt);
  if (delaySteps < 1) unsupported(p, `delay ${p.delay} s is shorter than one step (dt = ${dt} s)`);

  const stp = p.stp;
  const stpModel = stp.model === 'tsodyks-markram' ? STP_TM : stp.model === 'depression' ? STP_DEPRESSION : stp.model === 'three-state' ? STP_THREE_STATE : STP_NONE;
  const stpParams =
    stp.model === 'tsodyks-markram'
      ? { U: stp.U, U0: stp.U0, tauD: stp.tauD, tauF: stp.tauF }
      : stp.model === 'depression'
        ? { U: stp.U, tauD: stp.tauD }
        : stp.model === 'three-state'
          ? { U: stp.U, tauIn: stp.tauIn, tauRec: stp.tauRec }
          : null;

  const het = p.heterogeneity ?? {};
  const hetStp = STP_KEYS.some((k) => het[k] !== undefined);
  const stpPlacement: StpPlacement = stpModel === STP_NONE ? 'none' : hetStp ? 'per-synapse' : 'per-presynaptic-neuron';
  const nominal: Partial<Record<HeterogeneousParam, number>> = { weight: p.weight, ...(stpParams ?? {}) };
  const drawn = Object.keys(het).length > 0 ? drawHeterogeneity(het, nominal, nSyn, seedrandom(`${s.run.seed}:heterogeneity:${index}`)) : {};
  const filter = compileFilter(p, postPop.tauM, dt, stpModel === STP_THREE_STATE ? (drawn.tauIn ?? null) : null, hetStp);
  const synStp: ProjectionPlan['synStp'] = {};
  if (stpPlacement === 'per-synapse' && stpParams) {
    for (const [k, v] of Object.entries(stpParams) as [(typeof STP_KEYS)[number], number][]) synStp[k] = drawn[k] ?? new Float64Array(nSyn).fill(v);
  }

  return {
    name: projectionName(p),
    index,
    pre,
    post,
    nPre,
    nPost,
    csr,
    nSyn,
    delaySteps,
    ...filter,
    conductance: p.output.type === 'conductance',
    E: p.output.type === 'conductance' ? p.output.E : 0,
    mg: p.output.type === 'conductance' ? (p.output.mgBlock?.Mg ?? 0) : 0,
    stpModel,
    stpParams,
    stpPlacement,
    synStp,
    weight: p.weight,
    synWeight: drawn.weight ?? null,
    storage: p.storage,
    perTrial,
    connectivitySeed,
    connectivity: p.connectivity,
    recurrent: p.from === p.to,
  };
}

/**
 * The network of one trial (global trial index) of a projection with connectivity.perTrial, from
 * its own seedrandom stream: the same for every engine and every split of the trials.
 */
export function trialConnectivity(pr: ProjectionPlan, trial: number): Csr {
  return buildConnectivity(pr.connectivity, pr.nPre, pr.nPost, pr.recurrent, seedrandom(`${pr.connectivitySeed}:trial:${trial}`));
}

/** Compiles a validated scenario (parseScenario output) for the CPU engine. */
export function compileNetwork(s: Scenario, options: CompileOptions = {}): Network {
  const dt = s.run.dt;
  const names = Object.keys(s.populations);
  const populationIndex = new Map(names.map((n, i) => [n, i]));
  const populations = names.map((n, i) => compilePopulation(n, i, s.populations[n], dt));
  const projections = s.projections.map((p, i) => compileProjection(p, i, s, populations, populationIndex, options));
  for (const pr of projections) {
    populations[pr.pre].outgoing.push(pr.index);
    const post = populations[pr.post] as { -readonly [K in keyof PopulationPlan]: PopulationPlan[K] };
    post.incoming.push(pr.index);
    if (pr.filter === FILTER_DELTA) {
      post.deltaInput = true;
      if (pr.conductance) post.pulseInput = true;
      if (pr.conductance && pr.mg > 0) post.blockedPulses.push(pr.index);
    } else if (pr.conductance) post.conductanceInput = true;
  }
  for (const pop of populations) {
    const post = pop as { -readonly [K in keyof PopulationPlan]: PopulationPlan[K] };
    post.blockedPulseE = Float64Array.from(pop.blockedPulses, (q) => projections[q].E);
    post.blockedPulseMg = Float64Array.from(pop.blockedPulses, (q) => projections[q].mg);
  }
  return { dt, steps: Math.round(s.run.duration / dt), populations, projections, populationIndex };
}

/** Where a projection's filter state lives (recording.engine.filterState, the same words in both micro engines). */
export function filterPlacement(pr: ProjectionPlan): string {
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
