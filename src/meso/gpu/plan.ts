/**
 * Where the meso-gpu engine keeps each trial's state and recording, and the tables its kernel
 * reads (kernels/mesoStep.ts), from the meso engine's compiled network (src/meso/network.ts), so
 * that populations, filters, delays, kick and output scales and in-degrees are the CPU engine's.
 *
 * Per trial, in one float32 array (trials the slowest index):
 * - each neuron population: m, v, V, n/N and the queue of occupied slots of its K age bins, then its scalars (POP_SCALARS); a
 *   Poisson population only its scalars;
 * - each projection, per channel (0 the population mean, then the sampled neurons): the delay
 *   ring ((d + 1) slots × channels), g, h, the delta jump, ū, x̄; then its moments; with an
 *   age-resolved track (`--stp age`, a neuron population's depressing or facilitating projection),
 *   u, x and E[x²] of its presynaptic population's K bins, then the track's scalars (TRACK_SCALARS).
 * The recording of a trial likewise: activity counts per bin and population, the input means, the
 * sampled inputs, the STP variables, each [bins] long, summed on the GPU.
 */
import {
  EngineUnsupportedError,
  FILTER_DELTA,
  FILTER_DUAL,
  FILTER_EXP,
  NEURON_LIF,
  NEURON_POISSON,
  STP_DEPRESSION,
  STP_MODELS,
  STP_NONE,
  STP_TM,
} from '../../compile';
import { stepCount, stepsPerBin } from '../../model/recording';
import type { Scenario } from '../../model/scenario';
import { decayFactor } from '../../synapse/exact';
import type { MesoNetwork } from '../network';
import { adaptationKernels, historyLength } from '../population';
import { effectiveStp, type StpMeanFieldOrder } from '../stpMeanField';
import {
  type MesoStepSwitch,
  MAX_MESO_GPU_ADAPTATION_KERNELS,
  MAX_TRACKS,
  MOMENT_COUNT,
  POP_SCALAR_COUNT,
  POP_SCALARS,
  TRACK_SCALAR_COUNT,
  TRACK_SCALARS,
  type MesoPopValues,
  type MesoProjValues,
} from './kernels/mesoStep';

/** Whether projection q keeps an age-resolved track on its presynaptic population (simulate.ts: not for Poisson sources, static or three-state synapses). */
function hasTrack(order: StpMeanFieldOrder, net: MesoNetwork, q: number): boolean {
  const p = net.projs[q];
  return order === 'age' && net.pops[p.pre].model !== NEURON_POISSON && (p.stp.model === 'depression' || p.stp.model === 'tsodyks-markram');
}

/** Refuses 'age' where a population sends more age-resolved STP projections than the kernel's reduction holds. */
export function checkTracks(order: StpMeanFieldOrder, net: MesoNetwork): void {
  net.pops.forEach((pop, i) => {
    const sent = net.projs.filter((q, k) => q.pre === i && hasTrack(order, net, k));
    if (sent.length > MAX_TRACKS)
      throw new EngineUnsupportedError(
        'meso-gpu',
        `population "${pop.name}": --stp age keeps the STP state of each of its ${sent.length} outgoing depressing or facilitating projections per age bin, and this engine holds at most ${MAX_TRACKS}; choose --stp mf2 or --stp mf1, or run it with --level meso`,
        `populations.${pop.name}`,
      );
  });
}

export interface MesoGpuPlan {
  readonly pops: MesoPopValues[];
  readonly projs: MesoProjValues[];
  /** Floats of one trial's state and of one trial's recording. */
  readonly stateStride: number;
  readonly recStride: number;
  /** One trial's state at the start (every trial starts the same). */
  readonly initialState: Float32Array;
  /** The adaptation kernels of every adaptive population, shared by the trials (MesoPop.theta_off). */
  readonly kernels: Float32Array;
  readonly steps: number;
  readonly binSteps: number;
  readonly totalBins: number;
  /** The recorded STP variables of each projection (empty: not recorded). */
  readonly stpNames: string[][];
  /** Age bins per neuron population (engine.ageBins). */
  readonly ageBins: Record<string, number>;
  /** Which of the kernel's optional features this network uses (its USE_* overrides). */
  readonly features: MesoGpuFeatures;
}

/**
 * The kernel's optional features (mesoStep.wgsl's USE_* overrides, named once in
 * MESO_STEP_SWITCHES): true where some population or projection has it.
 */
export type MesoGpuFeatures = Record<Exclude<MesoStepSwitch, 'MACRO_LIMIT'>, boolean>;

/** The features of a network's tables: a feature is on where any row has it. */
export function featuresOf(pops: readonly MesoPopValues[], projs: readonly MesoProjValues[]): MesoGpuFeatures {
  return {
    USE_NEURONS: pops.some((p) => p.kind !== NEURON_POISSON),
    USE_ADAPTATION: pops.some((p) => p.adapt_kernels > 0),
    USE_TRACKS: pops.some((p) => p.tracks > 0),
    USE_CONDUCTANCE: pops.some((p) => p.conductance_input !== 0) || projs.some((q) => q.conductance !== 0),
    USE_LIF: pops.some((p) => p.kind === NEURON_LIF),
    USE_TM: projs.some((q) => q.stp === STP_TM),
    USE_SECOND_ORDER: projs.some((q) => q.second_order !== 0),
    USE_DELTA: projs.some((q) => q.filter_code === FILTER_DELTA),
    USE_DUAL: projs.some((q) => q.filter_code === FILTER_DUAL),
    USE_SAMPLED: pops.some((p) => p.sampled > 0),
  };
}

export function planMesoGpu(scenario: Scenario, net: MesoNetwork, order: StpMeanFieldOrder): MesoGpuPlan {
  const dt = scenario.run.dt;
  const steps = stepCount(scenario);
  const binSteps = stepsPerBin(scenario);
  const totalBins = Math.floor(steps / binSteps);
  const init: number[] = [];
  const alloc = (values: number[]) => {
    const at = init.length;
    init.push(...values);
    return at;
  };
  let rec = 0;
  const recRows = (rows: number) => {
    const at = rec;
    rec += rows * totalBins;
    return at;
  };
  /** A track at rest (population.ts addStpTrack): u = U0 with facilitation (else unused), x = E[x²] = 1. */
  const allocTrack = (facilitating: boolean, U: number, U0: number, K: number) => {
    const u0 = facilitating ? U0 : 0;
    const scalars = new Array(TRACK_SCALAR_COUNT).fill(0);
    scalars[TRACK_SCALARS.TRACK_U_FREE] = u0;
    scalars[TRACK_SCALARS.TRACK_X_FREE] = 1;
    scalars[TRACK_SCALARS.TRACK_X2_FREE] = 1;
    scalars[TRACK_SCALARS.TRACK_SPIKE_X] = 1;
    scalars[TRACK_SCALARS.TRACK_SPIKE_X2] = 1;
    scalars[TRACK_SCALARS.TRACK_MEAN_U] = facilitating ? U0 : U;
    scalars[TRACK_SCALARS.TRACK_MEAN_X] = 1;
    return alloc([...new Array(K).fill(u0), ...new Array(2 * K).fill(1), ...scalars]);
  };
  /** θ_own and the effective kernel of each adaptive population, ages 0 … K + 1 (population.ts adaptationKernels). */
  const kernels: number[] = [];
  const thetaOf = (p: MesoNetwork['pops'][number], K: number) => {
    const at = kernels.length;
    const { own, effective } = adaptationKernels(p, K);
    kernels.push(...own, ...effective);
    return at;
  };
  const padded = (values: ArrayLike<number>) => Array.from({ length: MAX_MESO_GPU_ADAPTATION_KERNELS }, (_, a) => values[a] ?? 0);
  const ageBins: Record<string, number> = {};
  checkTracks(order, net);
  /** The projections whose age-resolved tracks each population keeps. */
  const tracksOf = net.pops.map((_, i) => net.projs.flatMap((q, k) => (q.pre === i && hasTrack(order, net, k) ? [k] : [])));
  const pops: MesoPopValues[] = net.pops.map((p, i) => {
    const poisson = p.model === NEURON_POISSON;
    const K = poisson ? 0 : historyLength(p, dt);
    if (!poisson) ageBins[p.name] = K;
    // Every neuron starts at V0, not refractory: all in the lumped class (population.ts reset).
    // m, v, V, n/N and the queue of occupied slots (empty: population.ts occ).
    const binsOff = alloc([...new Array(2 * K).fill(0), ...new Array(K).fill(p.uReset), ...new Array(2 * K).fill(0)]);
    const scalars = new Array(POP_SCALAR_COUNT).fill(0);
    scalars[POP_SCALARS.SCALAR_M_FREE] = poisson ? 0 : p.N;
    scalars[POP_SCALARS.SCALAR_V_FREE] = p.V0;
    const scalarsOff = alloc(scalars);
    const sampled = net.sampled[i];
    const adaptive = !poisson && p.adaptDecay.length > 0;
    if (p.adaptDecay.length > MAX_MESO_GPU_ADAPTATION_KERNELS) throw new Error(`meso-gpu: population "${p.name}": refused by src/compile/support.ts`);
    return {
      kind: p.model,
      n: p.N,
      n_f: p.N,
      k: K,
      refractory: p.refSteps,
      bins_off: binsOff,
      scalars_off: scalarsOff,
      stream: p.index,
      decay_m: p.decayM,
      c: p.c,
      inv_delta_u: 1 / p.deltaU,
      u_th: p.uTh,
      u_reset: p.uReset,
      tau_m: p.tauM,
      record_input: sampled >= 0 ? 1 : 0,
      sampled: Math.max(0, sampled),
      activity_off: recRows(1),
      input_mean_off: sampled >= 0 ? recRows(1) : 0,
      input_sampled_off: sampled > 0 ? recRows(sampled) : 0,
      adapt_kernels: p.adaptDecay.length,
      theta_off: adaptive ? thetaOf(p, K) : 0,
      adapt_decay: padded(p.adaptDecay),
      adapt_kick_k: padded(Array.from(p.adaptKick, (kick, a) => kick * p.adaptDecay[a] ** K)),
      conductance_input: net.cond[i] ? 1 : 0,
      rest_potential: p.restPotential,
      tracks: tracksOf[i].length,
      track0: tracksOf[i][0] ?? 0,
      track1: tracksOf[i][1] ?? 0,
    };
  });
  const stpNames = net.projs.map((q) => (scenario.record.stp ? [...STP_MODELS[q.stp.model].variables] : []));
  const projs: MesoProjValues[] = net.projs.map((q, i) => {
    const ch = q.channels;
    const kind = effectiveStp(q.stp);
    const declared = q.stp;
    const stp = kind.model === 'none' ? STP_NONE : kind.model === 'depression' ? STP_DEPRESSION : STP_TM;
    if (kind.model === 'three-state') throw new Error(`meso-gpu: ${q.name}: three-state STP is refused by src/compile/support.ts`);
    const U = kind.model === 'none' ? 1 : kind.params.U;
    const U0 = kind.model === 'tsodyks-markram' ? kind.params.U0 : U;
    const tauD = kind.model === 'none' ? Infinity : kind.params.tauD;
    const tauF = kind.model === 'tsodyks-markram' ? kind.params.tauF : 0;
    // ū as recorded: Tsodyks–Markram without facilitation reports U0 at every moment (stpMeanField.ts variables).
    const uStart = declared.model === 'tsodyks-markram' ? declared.params.U0 : U;
    const moments = new Array(MOMENT_COUNT).fill(0);
    if (stp === STP_TM) moments.splice(0, MOMENT_COUNT, U0, 1, U0 * U0, 1, U0);
    else if (stp === STP_DEPRESSION) moments.splice(0, 2, 1, 1);
    const coupling = q.inputCoupling;
    const names = stpNames[i];
    if (names.length > 0 && names.join() !== 'x' && names.join() !== 'u,x')
      throw new Error(`meso-gpu: ${q.name}: cannot record STP variables ${names.join(', ')}`);
    return {
      pre: q.pre,
      post: q.post,
      ring_slots: q.delaySteps + 1,
      channels: ch,
      filter_code: q.filter,
      shared_noise: q.shared ? 1 : 0,
      stp,
      // MF2's moments also give `age` its sampled channels and, with facilitation, its noise.
      second_order: order !== 'mf1' && stp !== STP_NONE ? 1 : 0,
      u_param: U,
      u0: U0,
      tau_d: Number.isFinite(tauD) ? tauD : 0,
      tau_f: tauF,
      decay_d: Number.isFinite(tauD) ? decayFactor(dt, tauD) : 1,
      decay_f: tauF > 0 ? decayFactor(dt, tauF) : 0,
      in_degree: q.C,
      scale: q.weight * q.C * dt * q.kickScale,
      out_scale: q.outScale,
      coupling: coupling ? 1 : 0,
      k0: coupling ? coupling[0] : 0,
      k1: coupling && coupling.length > 1 ? coupling[1] : 0,
      exp_decay: q.filter === FILTER_EXP ? q.expProp!.decay : 0,
      gg: q.filter === FILTER_DUAL ? q.dualProp!.gg : 0,
      hg: q.filter === FILTER_DUAL ? q.dualProp!.hg : 0,
      hh: q.filter === FILTER_DUAL ? q.dualProp!.hh : 0,
      ring_off: alloc(new Array((q.delaySteps + 1) * ch).fill(0)),
      g_off: alloc(new Array(ch).fill(0)),
      h_off: alloc(new Array(ch).fill(0)),
      delta_off: alloc(new Array(ch).fill(0)),
      u_off: alloc(new Array(ch).fill(uStart)),
      x_off: alloc(new Array(ch).fill(1)),
      moments_off: alloc(moments),
      stp_vars: names.length,
      stp_rec_off: names.length > 0 ? recRows(names.length) : 0,
      conductance: q.conductance ? 1 : 0,
      e_rev: q.E,
      mg: q.mg,
      pad0: 0,
      pad1: 0,
      track: hasTrack(order, net, i) ? 1 : 0,
      track_off: hasTrack(order, net, i) ? allocTrack(stp === STP_TM, U, U0, pops[q.pre].k) : 0,
    };
  });

  return {
    pops,
    projs,
    stateStride: init.length,
    recStride: Math.max(1, rec),
    initialState: Float32Array.from(init),
    kernels: Float32Array.from(kernels),
    steps,
    binSteps,
    totalBins,
    stpNames,
    ageBins,
    features: featuresOf(pops, projs),
  };
}
