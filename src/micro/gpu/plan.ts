/**
 * From the compiled network of the CPU engine (src/micro/cpu/network.ts: connectivity,
 * heterogeneity, delays, filter propagators and kick scales, one source of truth for both
 * engines) to what the GPU engine uploads: per-population and per-projection kernel
 * parameters, override constants, fixed-point scales, and the bytes each buffer needs per trial,
 * from which the number of trials per batch follows (trials are the GPU engine's tiling axis).
 */
import type { AdapterSummary } from '../../gpu/device';
import { projectionName } from '../../model/recording';
import type { Scenario } from '../../model/scenario';
import {
  FILTER_CASCADE,
  FILTER_DELTA,
  FILTER_DUAL,
  FILTER_EXP,
  FILTER_KINETIC,
  FILTER_SYN_KINETIC,
  FILTER_SYN_Y,
  NEURON_POISSON,
  STP_DEPRESSION,
  STP_NONE,
  STP_THREE_STATE,
  STP_TM,
  type Network,
  type PopulationPlan,
  type ProjectionPlan,
} from '../cpu/network';
import type { DepressionParams } from '../../synapse/stpDepression';
import type { ThreeStateParams } from '../../synapse/stpThreeState';
import type { TmParams } from '../../synapse/stpTsodyksMarkram';
import { fixedPointFor, maxInDegree, type FixedPoint } from './fixedPoint';
import { proceduralRows, type ProceduralRows } from './procedural';

/** Adaptation kernels a GPU neuron carries (a vec4 in the kernel's parameters). */
export const MAX_ADAPTATION_KERNELS = 4;
/** Delta conductance projections with an NMDA block into one population (a vec4 in apply_pulses.wgsl). */
export const MAX_BLOCKED_PULSES = 4;
/** Storage buffers the largest micro-gpu kernel binds (population_step.wgsl). */
export const STORAGE_BUFFERS_NEEDED = 8;

export class MicroGpuUnsupportedError extends Error {
  override name = 'MicroGpuUnsupportedError';
}

export interface GpuPopulation {
  plan: PopulationPlan;
  hasInput: boolean;
  /** Neurons whose input (first m) and spikes (first m) are recorded; whether the population mean is. */
  recordInputs: number;
  recordMean: boolean;
  recordSpikes: number;
  K: number;
  /** Rows of T·N in the input sums: I_cur, G, GE, delta kicks, I_n, then W, WE and the blocked pulses. */
  accRows: number;
}

export interface GpuProjection {
  plan: ProjectionPlan;
  /** Filter stages on the postsynaptic side: 0 delta, 1 exponential, 2 dual exponential/alpha, 3 cascade. */
  stages: number;
  /** Rows of the lower-triangular step propagator, padded to 3 × 4. */
  propagator: Float32Array;
  fixedPoint: FixedPoint;
  maxInDegree: number;
  perSynapse: boolean;
  hetWeight: boolean;
  /** STP state entries per trial (nPre or nSyn) and variables per entry. */
  stpEntries: number;
  stpVars: number;
  /** rowStart then targets (empty for procedural connectivity). */
  csr: Uint32Array;
  /** Procedural connectivity: how the rows are regenerated; null for explicit CSR. */
  procedural: ProceduralRows | null;
  /** Kinetic receptor gates per trial: nPre (per presynaptic neuron), nSyn (per synapse) or 0. */
  gates: number;
  /** Filter stages per postsynaptic neuron (the stage arrays of projection_input or syn_y). */
  filterRows: number;
  /** J_s (heterogeneous weight), then per-synapse STP parameters in the order propagate.wgsl reads. */
  syn: Float32Array;
  /** Initial STP state of one trial's entries: rows of stpEntries. */
  stpInitial: Float32Array;
}

export interface GpuPlan {
  net: Network;
  populations: GpuPopulation[];
  projections: GpuProjection[];
  /** Delta projections first: their kicks move V before any filter reads it (NMDA block). */
  inputOrder: number[];
  /** The position in the step where the first filtered projection comes (−1: none), before which pulses are applied. */
  firstFilterInput: number;
  binSteps: number;
  totalBins: number;
  /** Bytes per trial of the largest per-trial buffer, and its name. */
  largestPerTrial: { bytes: number; what: string };
  /** Bytes per trial of all per-trial buffers together, and of the trial-independent ones. */
  bytesPerTrial: number;
  sharedBytes: number;
}

function refuse(what: string): never {
  throw new MicroGpuUnsupportedError(`micro-gpu: ${what}`);
}

function stagesOf(pr: ProjectionPlan): { stages: number; propagator: Float32Array } {
  const P = new Float32Array(12);
  switch (pr.filter) {
    case FILTER_DELTA:
      return { stages: 0, propagator: P };
    case FILTER_EXP:
      P[0] = pr.expProp!.decay;
      return { stages: 1, propagator: P };
    case FILTER_DUAL: {
      // Stages (h, g): h → h, then h → g and g → g.
      const d = pr.dualProp!;
      P[0] = d.hh;
      P[4] = d.hg;
      P[5] = d.gg;
      return { stages: 2, propagator: P };
    }
    case FILTER_CASCADE: {
      const c = pr.cascadeProp!;
      for (let k = 0; k < 3; k++) for (let j = 0; j <= k; j++) P[4 * k + j] = c.P[3 * k + j];
      return { stages: 3, propagator: P };
    }
    case FILTER_SYN_Y: {
      // The ring holds the filter's value (syn_y.wgsl); with postsynaptic stages, their propagator.
      const c = pr.cascadeProp;
      const S = pr.postStages;
      for (let k = 0; k < S; k++) for (let j = 0; j <= k; j++) P[4 * k + j] = c!.P[S * k + j];
      return { stages: S === 0 ? 5 : 6, propagator: P };
    }
    case FILTER_KINETIC:
    case FILTER_SYN_KINETIC:
      // The ring holds each step's conductance (shaders/micro/kinetic.wgsl): no filter state.
      return { stages: 4, propagator: P };
    default:
      return refuse(`projection "${pr.name}": unexpected filter ${pr.filter}`);
  }
}

function checkProjection(pr: ProjectionPlan, s: Scenario): void {
  const where = `projection "${pr.name}"`;
  const kinetic = pr.filter === FILTER_KINETIC || pr.filter === FILTER_SYN_KINETIC;
  if (kinetic && pr.storage === 'procedural') {
    refuse(`${where}: a kinetic receptor keeps a gate per presynaptic neuron or synapse and sends its conductance along stored rows; use "storage": "explicit"`);
  }
  const p = s.projections[pr.index];
  if (pr.storage === 'procedural' && p.connectivity.type === 'fixed-indegree') {
    refuse(`${where}: procedural storage regenerates the targets of each presynaptic neuron, and a fixed in-degree has no such form (each target draws its sources); use "fixed-probability" with p = C/N, or "storage": "explicit"`);
  }
  void s;
}

function synapseData(pr: ProjectionPlan): Float32Array {
  const n = pr.nSyn;
  const rows: Float64Array[] = [];
  if (pr.synWeight) rows.push(pr.synWeight);
  if (pr.stpPlacement === 'per-synapse') {
    const h = pr.synStp;
    const keys = pr.stpModel === STP_TM ? (['U', 'U0', 'tauD', 'tauF'] as const) : pr.stpModel === STP_DEPRESSION ? (['U', 'tauD'] as const) : (['U', 'tauIn', 'tauRec'] as const);
    for (const k of keys) rows.push(h[k]!);
  }
  if (pr.filter === FILTER_SYN_Y) {
    // kick_s, then the step couplings e^{−dt/τin_s}, P_10 … P_S0 as rows (syn_y.wgsl).
    rows.push(pr.synKick!);
    const stride = pr.postStages + 1;
    for (let q = 0; q < stride; q++) rows.push(Float64Array.from({ length: n }, (_, s) => pr.synCoupling![s * stride + q]));
  }
  const out = new Float32Array(Math.max(1, rows.length * n));
  rows.forEach((r, i) => out.set(r, i * n));
  return out;
}

function stpInitial(pr: ProjectionPlan, entries: number, vars: number): Float32Array {
  const out = new Float32Array(Math.max(1, entries * vars));
  if (pr.stpModel === STP_TM) {
    const p = pr.stpParams as TmParams;
    const u0 = pr.stpPlacement === 'per-synapse' ? pr.synStp.U0 : undefined;
    for (let e = 0; e < entries; e++) {
      out[e] = u0 ? u0[e] : p.U0;
      out[entries + e] = 1;
    }
  } else if (pr.stpModel === STP_DEPRESSION || pr.stpModel === STP_THREE_STATE) {
    out.fill(1, 0, entries);
  }
  return out;
}

/** STP parameters in the order of the WGSL StpParams struct (U, U0, tauD, tauF, tauIn, tauRec). */
export function stpParamFields(pr: ProjectionPlan): number[] {
  if (pr.stpModel === STP_TM) {
    const p = pr.stpParams as TmParams;
    return [p.U, p.U0, p.tauD, p.tauF, 0, 0];
  }
  if (pr.stpModel === STP_DEPRESSION) {
    const p = pr.stpParams as DepressionParams;
    return [p.U, 0, p.tauD, 0, 0, 0];
  }
  if (pr.stpModel === STP_THREE_STATE) {
    const p = pr.stpParams as ThreeStateParams;
    return [p.U, 0, 0, 0, p.tauIn, p.tauRec];
  }
  return [0, 0, 0, 0, 0, 0];
}

export function planGpu(net: Network, s: Scenario, binSteps: number): GpuPlan {
  const totalBins = Math.floor(net.steps / binSteps);
  const names = net.populations.map((p) => p.name);
  const recordInputs = new Map<string, number>();
  for (const r of s.record.inputs) recordInputs.set(r.population, Math.max(recordInputs.get(r.population) ?? 0, r.neurons));
  const recordSpikes = new Map<string, number>();
  for (const r of s.record.spikes) recordSpikes.set(r.population, Math.max(recordSpikes.get(r.population) ?? 0, r.neurons));

  const populations = net.populations.map((plan): GpuPopulation => {
    const K = plan.adaptDecay.length;
    if (K > MAX_ADAPTATION_KERNELS) refuse(`population "${plan.name}": ${K} adaptation kernels; the GPU engine carries at most ${MAX_ADAPTATION_KERNELS}`);
    const recorded = recordInputs.has(plan.name);
    if (plan.blockedPulses.length > MAX_BLOCKED_PULSES) refuse(`population "${plan.name}": ${plan.blockedPulses.length} delta NMDA projections; the GPU engine combines at most ${MAX_BLOCKED_PULSES}`);
    return {
      accRows: 5 + (plan.pulseInput ? 2 + plan.blockedPulses.length : 0),
      plan,
      hasInput: plan.incoming.length > 0,
      recordInputs: recorded ? Math.min(recordInputs.get(plan.name)!, plan.N) : 0,
      recordMean: recorded && plan.model !== NEURON_POISSON,
      recordSpikes: Math.min(recordSpikes.get(plan.name) ?? 0, plan.N),
      K,
    };
  });
  void names;

  const projections = net.projections.map((pr): GpuProjection => {
    checkProjection(pr, s);
    const { stages, propagator } = stagesOf(pr);
    let maxJ = Math.abs(pr.weight);
    if (pr.synWeight) for (const j of pr.synWeight) maxJ = Math.max(maxJ, Math.abs(j));
    let kickBound = Math.abs(pr.kickScale);
    if (pr.filter === FILTER_SYN_Y) {
      // y_s ≤ J_s·kick_s (a synapse's released resources total at most 1); with postsynaptic
      // stages the ring accumulates y_s times its largest step coupling instead.
      kickBound = 0;
      const stride = pr.postStages + 1;
      for (let s = 0; s < pr.nSyn; s++) {
        let c = pr.postStages === 0 ? 1 : 0;
        for (let q = 1; q < stride; q++) c = Math.max(c, Math.abs(pr.synCoupling![s * stride + q]));
        kickBound = Math.max(kickBound, pr.synKick![s] * c);
      }
    }
    const procedural = pr.storage === 'procedural' ? proceduralRows(s.projections[pr.index].connectivity, pr.nPre, pr.nPost, pr.pre === pr.post) : null;
    // Networks drawn per trial are built batch by batch: bound their in-degree like the generator's.
    const conn = s.projections[pr.index].connectivity;
    const drawnBound = conn.type === 'fixed-indegree' ? conn.C : (proceduralRows(conn, pr.nPre, pr.nPost, pr.pre === pr.post)?.maxInDegree ?? pr.nPre);
    const inDegree = procedural ? procedural.maxInDegree : pr.perTrial ? drawnBound : maxInDegree(pr.csr.targets, pr.nPost);
    const fixedPoint = fixedPointFor(inDegree, maxJ * kickBound);
    const perSynapse = pr.stpPlacement === 'per-synapse';
    const stpEntries = pr.stpModel === STP_NONE ? 0 : perSynapse ? pr.nSyn : pr.nPre;
    const stpVars = pr.stpModel === STP_TM ? 2 : pr.stpModel === STP_DEPRESSION ? 1 : pr.stpModel === STP_THREE_STATE ? 3 : 0;
    const csr = new Uint32Array(procedural || pr.perTrial ? 1 : pr.nPre + 1 + pr.nSyn);
    if (!procedural && !pr.perTrial) {
      csr.set(pr.csr.rowStart, 0);
      csr.set(pr.csr.targets, pr.nPre + 1);
    }
    return {
      plan: pr,
      stages,
      propagator,
      fixedPoint,
      maxInDegree: inDegree,
      perSynapse,
      hetWeight: pr.synWeight !== null,
      stpEntries,
      stpVars,
      csr,
      procedural,
      gates: pr.filter === FILTER_KINETIC ? pr.nPre : pr.filter === FILTER_SYN_KINETIC ? pr.nSyn : 0,
      filterRows: stages >= 1 && stages <= 3 ? stages : stages === 6 ? pr.postStages : 0,
      syn: synapseData(pr),
      stpInitial: stpInitial(pr, stpEntries, stpVars),
    };
  });
  const inputOrder = [...projections.keys()].sort((a, b) => Number(projections[a].stages > 0) - Number(projections[b].stages > 0) || a - b);

  // Bytes per trial of each per-trial buffer (the kernels index them as [trial × element]).
  let largest = { bytes: 0, what: '' };
  let perTrial = 0;
  const add = (bytes: number, what: string) => {
    perTrial += bytes;
    if (bytes > largest.bytes) largest = { bytes, what };
  };
  for (const p of populations) {
    const N = p.plan.N;
    if (p.plan.model !== NEURON_POISSON) {
      add(4 * N * (1 + p.K), `population "${p.plan.name}" state (V and adaptation)`);
      add(4 * N, `population "${p.plan.name}" refractory counters`);
      if (p.hasInput || p.recordMean) add(4 * N * p.accRows, `population "${p.plan.name}" input sums`);
    }
    add(4 * N, `population "${p.plan.name}" spike list`);
    add(4 * totalBins, `population "${p.plan.name}" activity`);
    add(4 * p.recordInputs * totalBins, `population "${p.plan.name}" recorded inputs`);
    if (p.recordMean) add(4 * totalBins, `population "${p.plan.name}" input mean`);
  }
  let shared = 0;
  for (const q of projections) {
    const pr = q.plan;
    add(4 * (pr.delaySteps + 1 + (q.stages === 6 ? pr.postStages : 0)) * pr.nPost, `projection "${pr.name}" delay ring`);
    if (q.filterRows > 0) add(4 * q.filterRows * pr.nPost, `projection "${pr.name}" filter state`);
    if (pr.filter === FILTER_SYN_Y) add(4 * pr.nSyn, `projection "${pr.name}" per-synapse y`);
    if (q.gates > 0) add(12 * q.gates, `projection "${pr.name}" receptor gates`);
    // A network per trial: about the expected synapse count, with room for the fluctuation.
    if (pr.perTrial && !q.procedural) add(4 * (pr.nPre + 1 + Math.ceil(1.1 * pr.nSyn) + 64), `projection "${pr.name}" per-trial connectivity`);
    if (q.stpVars > 0) {
      add(4 * q.stpVars * q.stpEntries, `projection "${pr.name}" STP state`);
      add(4 * q.stpEntries, `projection "${pr.name}" STP update steps`);
      if (s.record.stp) add(4 * q.stpVars * totalBins, `projection "${pr.name}" recorded STP means`);
    }
    shared += q.csr.byteLength + q.syn.byteLength;
  }
  const firstFilterInput = inputOrder.find((q) => projections[q].stages > 0) ?? -1;
  return { net, populations, projections, inputOrder, firstFilterInput, binSteps, totalBins, largestPerTrial: largest, bytesPerTrial: perTrial, sharedBytes: shared };
}

/**
 * Trials per batch: as many as fit in one storage binding for every per-trial buffer and, all
 * buffers together, in `memoryBudget` bytes. A single trial that does not fit is refused with
 * the buffer named.
 */
export function trialsPerBatch(plan: GpuPlan, limits: Pick<AdapterSummary['limits'], 'maxStorageBufferBindingSize' | 'maxBufferSize'>, trials: number, memoryBudget: number): number {
  const maxBinding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const { bytes, what } = plan.largestPerTrial;
  for (const q of plan.projections) {
    if (q.csr.byteLength > maxBinding || q.syn.byteLength > maxBinding) {
      refuse(`projection "${projectionName({ name: q.plan.name, from: '', to: '' })}" has ${q.plan.nSyn} synapses, ${Math.max(q.csr.byteLength, q.syn.byteLength)} bytes in one storage binding, above this adapter's maxStorageBufferBindingSize of ${maxBinding}; reduce N or the in-degree`);
    }
  }
  if (bytes > maxBinding) {
    refuse(`${what} needs ${bytes} bytes for a single trial, above this adapter's maxStorageBufferBindingSize of ${maxBinding}; reduce N (or the delay, bins or recorded neurons)`);
  }
  const byBinding = bytes > 0 ? Math.floor(maxBinding / bytes) : trials;
  const room = memoryBudget - plan.sharedBytes;
  if (room < plan.bytesPerTrial) {
    refuse(`one trial needs ${plan.bytesPerTrial + plan.sharedBytes} bytes of GPU memory, above the budget of ${memoryBudget}; reduce the network or raise memoryBudget`);
  }
  const byMemory = Math.floor(room / Math.max(1, plan.bytesPerTrial));
  return Math.max(1, Math.min(trials, byBinding, byMemory));
}
