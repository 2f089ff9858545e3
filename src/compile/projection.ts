/**
 * A projection of the scenario as every engine takes it: populations, delay in steps, filter
 * (./filter.ts), output, the STP model and its parameters from the one table (./stpModels.ts), and, for
 * the micro engines, the synapses themselves (CSR connectivity and per-synapse parameters).
 */
import seedrandom from 'seedrandom';
import type { Projection, Scenario } from '../model/scenario';
import { projectionName } from '../model/recording';
import { synapseCount } from '../model/validate';
import { NEURON_POISSON, STP_NONE, STP_THREE_STATE } from './codes';
import { buildConnectivity, type Csr } from './connectivity';
import { compileFilter, type CompiledFilter } from './filter';
import { drawHeterogeneity, type HeterogeneousParam } from './heterogeneity';
import type { CompiledPopulation } from './population';
import { compileStp, STP_MODELS, STP_PARAM_KEYS, stpParams, type StpKind, type StpParamKey } from './stpModels';

export type StpPlacement = 'none' | 'per-presynaptic-neuron' | 'per-synapse';

/** A projection with its synapses, for the micro engines. */
export interface CompiledProjection extends ProjectionBasics, CompiledFilter {
  readonly csr: Csr;
  readonly nSyn: number;
  /** STP_MODELS[stp.model].code, and stp's parameters (null for none). */
  readonly stpModel: number;
  readonly stpParams: Extract<StpKind, { params: unknown }>['params'] | null;
  readonly stpPlacement: StpPlacement;
  /** Per-synapse STP parameters (per-synapse placement only; unlisted ones are filled with the nominal value). */
  readonly synStp: Partial<Record<StpParamKey, Float64Array>>;
  /** Per-synapse J when the weight is heterogeneous. */
  readonly synWeight: Float64Array | null;
  /** What the scenario asked for; the CPU engine always stores the synapses explicitly. */
  readonly storage: 'explicit' | 'procedural';
  /**
   * Every trial draws its own network (connectivity.perTrial): csr is empty, nSyn the expected
   * count, and trialConnectivity(plan, trial) builds the network of one trial.
   */
  readonly perTrial: boolean;
  /** Connectivity seed, for trialConnectivity. */
  readonly connectivitySeed: string;
  readonly connectivity: Projection['connectivity'];
}

export interface CompileOptions {
  /**
   * Leave procedural projections without a CSR (the GPU engine regenerates their targets): their
   * csr is empty and nSyn the expected synapse count. The CPU engine builds them explicitly.
   */
  proceduralWithoutCsr?: boolean;
}

const EMPTY_CSR: Csr = { rowStart: new Int32Array(0), targets: new Int32Array(0) };

/** What every engine needs of a projection, synapses aside. */
export interface ProjectionBasics {
  readonly name: string;
  readonly index: number;
  readonly pre: number;
  readonly post: number;
  readonly nPre: number;
  readonly nPost: number;
  readonly delaySteps: number;
  readonly conductance: boolean;
  readonly E: number;
  readonly mg: number;
  readonly stp: StpKind;
  readonly weight: number;
  readonly recurrent: boolean;
}

/**
 * The synapse-free part of a projection. `support.ts` has refused what an engine does not model
 * before this runs; the checks here guard against calls that bypass it.
 */
export function projectionBasics(
  p: Projection,
  index: number,
  s: Scenario,
  pops: readonly CompiledPopulation[],
  popIndex: ReadonlyMap<string, number>,
): ProjectionBasics {
  const name = projectionName(p);
  const pre = popIndex.get(p.from);
  const post = popIndex.get(p.to);
  if (pre === undefined || post === undefined) throw new Error(`projection "${name}": unknown population "${pre === undefined ? p.from : p.to}"`);
  if (pops[post].model === NEURON_POISSON) throw new Error(`projection "${name}": "${p.to}" is a Poisson source and takes no input`);
  const delaySteps = Math.round(p.delay / s.run.dt);
  if (delaySteps < 1) throw new Error(`projection "${name}": delay ${p.delay} s is shorter than one step (dt = ${s.run.dt} s)`);
  const conductance = p.output.type === 'conductance';
  return {
    name,
    index,
    pre,
    post,
    nPre: pops[pre].N,
    nPost: pops[post].N,
    delaySteps,
    conductance,
    E: p.output.type === 'conductance' ? p.output.E : 0,
    mg: p.output.type === 'conductance' ? (p.output.mgBlock?.Mg ?? 0) : 0,
    stp: compileStp(p.stp),
    weight: p.weight,
    recurrent: p.from === p.to,
  };
}

export function compileProjection(
  p: Projection,
  index: number,
  s: Scenario,
  pops: readonly CompiledPopulation[],
  popIndex: ReadonlyMap<string, number>,
  options: CompileOptions,
): CompiledProjection {
  const dt = s.run.dt;
  const basics = projectionBasics(p, index, s, pops, popIndex);
  const { nPre, nPost } = basics;
  // Procedural storage regenerates the targets on the GPU instead of storing them; the network it
  // describes is the same random graph, so the CPU engine builds it explicitly.
  const regenerated = p.storage === 'procedural' && options.proceduralWithoutCsr === true;
  const perTrial = p.connectivity.type !== 'all-to-all' && p.connectivity.perTrial;
  const connectivitySeed = `${s.run.seed}:connectivity:${index}`;
  const csr = regenerated || perTrial ? EMPTY_CSR : buildConnectivity(p.connectivity, nPre, nPost, basics.recurrent, seedrandom(connectivitySeed));
  const nSyn = regenerated || perTrial ? Math.round(synapseCount(p, nPre, nPost)) : csr.targets.length;

  const stpModel = STP_MODELS[basics.stp.model].code;
  const nominalStp = stpParams(basics.stp);
  const het = p.heterogeneity ?? {};
  const hetStp = STP_PARAM_KEYS.some((k) => het[k] !== undefined);
  const stpPlacement: StpPlacement = stpModel === STP_NONE ? 'none' : hetStp ? 'per-synapse' : 'per-presynaptic-neuron';
  const nominal: Partial<Record<HeterogeneousParam, number>> = { weight: p.weight, ...nominalStp };
  const drawn = Object.keys(het).length > 0 ? drawHeterogeneity(het, nominal, nSyn, seedrandom(`${s.run.seed}:heterogeneity:${index}`)) : {};
  const filter = compileFilter(p, pops[basics.post].tauM, dt, stpModel === STP_THREE_STATE ? (drawn.tauIn ?? null) : null, hetStp, s.run.integration);
  const synStp: CompiledProjection['synStp'] = {};
  if (stpPlacement === 'per-synapse') {
    for (const k of STP_MODELS[basics.stp.model].params) synStp[k] = drawn[k] ?? new Float64Array(nSyn).fill(nominalStp[k]!);
  }

  return {
    ...basics,
    csr,
    nSyn,
    ...filter,
    stpModel,
    stpParams: basics.stp.model === 'none' ? null : basics.stp.params,
    stpPlacement,
    synStp,
    synWeight: drawn.weight ?? null,
    storage: p.storage,
    perTrial,
    connectivitySeed,
    connectivity: p.connectivity,
  };
}

/**
 * The network of one trial (global trial index) of a projection with connectivity.perTrial, from
 * its own seedrandom stream: the same for every engine and every split of the trials.
 */
export function trialConnectivity(pr: CompiledProjection, trial: number): Csr {
  return buildConnectivity(pr.connectivity, pr.nPre, pr.nPost, pr.recurrent, seedrandom(`${pr.connectivitySeed}:trial:${trial}`));
}
