/**
 * From the compiled network (src/compile: connectivity, heterogeneity, delays, filter
 * propagators and kick scales, one source of truth for every engine) to what the GPU engine uploads: per-population and per-projection kernel
 * parameters, override constants, fixed-point scales, and the bytes each buffer needs per trial,
 * from which the number of trials per batch follows (trials are the GPU engine's tiling axis).
 */
import type { AdapterSummary } from '../../gpu/device';
import { EngineUnsupportedError } from '../../compile/errors';
import type { Connectivity, Scenario } from '../../model/scenario';
import {
  FILTER_CASCADE,
  FILTER_DELTA,
  FILTER_DUAL,
  FILTER_EXP,
  FILTER_KINETIC,
  FILTER_SYN_KINETIC,
  FILTER_SYN_Y,
  NEURON_POISSON,
  STP_NONE,
  STP_MODELS,
  STP_PARAM_KEYS,
  stpModelName,
  type Network,
  type StpParamKey,
  type CompiledPopulation,
  type CompiledProjection,
} from '../../compile';
import { ACC, PROJECTION_INPUT, type ProjectionInput } from './layout';
import { fixedPointFor, maxInDegree, type FixedPoint } from './ringFixedPoint';
import { proceduralRows, type ProceduralRows } from './procedural';

/** Storage buffers the largest micro-gpu kernel binds (kernels/populationStep.wgsl). */
export const STORAGE_BUFFERS_NEEDED = 8;

/** A scenario the GPU engine cannot run on this adapter (a buffer beyond its limits). */
export class MicroGpuUnsupportedError extends EngineUnsupportedError {
  override name = 'MicroGpuUnsupportedError';
  constructor(message: string) {
    super('micro-gpu', message);
  }
}

export interface GpuPopulation {
  plan: CompiledPopulation;
  hasInput: boolean;
  /** Neurons whose input (first m) and spikes (first m) are recorded; whether the population mean is. */
  recordInputs: number;
  recordMean: boolean;
  recordSpikes: number;
  K: number;
  /** Rows of T·N in the input sums (ACC in layout.ts): I_cur, G, GE, delta kicks, I_n, then W, WE and the blocked pulses. */
  accRows: number;
}

export interface GpuProjection {
  plan: CompiledProjection;
  /** What the delay ring holds, i.e. how projectionInput reads it (PROJECTION_INPUT). */
  input: ProjectionInput;
  /** INPUT_FILTER: the postsynaptic filter stages the events kick, 1 exponential, 2 dual exponential/alpha, 3 cascade; else 0. */
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
  /** An explicit network drawn per trial (connectivity.perTrial): how every batch lays out a trial's CSR; null otherwise. */
  perTrialCsr: PerTrialCsr | null;
  /** Kinetic receptor gates per trial: nPre (per presynaptic neuron), nSyn (per synapse) or 0. */
  gates: number;
  /** Filter stages per postsynaptic neuron (the stage arrays of projectionInput or synY). */
  filterRows: number;
  /** J_s (heterogeneous weight), then per-synapse STP parameters in the order of STP_MODELS (stp_params_of reads them so). */
  syn: Float32Array;
  /** Initial STP state of one trial's entries: rows of stpEntries. */
  stpInitial: Float32Array;
}

/**
 * A per-trial array the statistics of record.trials 'stats' reduce on the GPU
 * (kernels/reduceTrials.wgsl): a population's activity counts, sampled inputs or input mean, or
 * one variable of a projection's recorded STP means.
 */
export interface GpuQuantity {
  kind: 'activity' | 'sampled' | 'mean' | 'stp';
  /** The population (activity, sampled, mean) or projection (stp). */
  index: number;
  /** stp: the variable, i.e. the [T × bins] block of the recorded buffer. */
  variable: number;
  rows: number;
  /** Where its per-bin means start in the bin-statistics buffer (f32 elements; the M2 follow rows × totalBins later). */
  statsOffset: number;
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
  /** record.trials 'stats': the batch's arrays are reduced to statistics on the GPU, and these are what it reduces. */
  stats: boolean;
  quantities: GpuQuantity[];
  /** f32 elements of the bin-statistics buffer (mean and M2 of every quantity, rows × totalBins each). */
  statsElements: number;
}

/**
 * One trial's CSR block of an explicit network drawn per trial, fixed before any trial is drawn
 * so that every batch has the same layout (the fused and resident kernels compile it in): its
 * elements (rowStart, then room for the targets) and the longest row it holds. A trial drawn
 * beyond either, a fluctuation the bounds make negligible, runs in the general schedule
 * (allocate.ts batchCsr).
 */
export interface PerTrialCsr {
  stride: number;
  longestRow: number;
}

/** Binomial(n, p) bounded 20 standard deviations above its mean (as procedural.ts bounds an in-degree), at most n. */
function binomialBound(n: number, p: number): number {
  const mean = n * p;
  return Math.min(n, Math.ceil(mean + 20 * Math.sqrt(mean * (1 - p)) + 20));
}

/**
 * Fixed in-degree draws exactly C·nPost synapses, each target choosing a source with probability
 * C/sources; a fixed probability about its expected count with room for the fluctuation (10 % and
 * 64 more), each row Binomial(candidates, p).
 */
function perTrialCsrOf(c: Connectivity, pr: CompiledProjection): PerTrialCsr {
  const noSelf = pr.recurrent && !c.autapses;
  if (c.type === 'fixed-indegree') {
    const sources = noSelf ? pr.nPre - 1 : pr.nPre;
    return { stride: pr.nPre + 1 + c.C * pr.nPost, longestRow: binomialBound(pr.nPost, sources > 0 ? c.C / sources : 0) };
  }
  const p = c.type === 'all-to-all' ? 1 : Math.min(1, c.p);
  return { stride: pr.nPre + 1 + Math.ceil(1.1 * pr.nSyn) + 64, longestRow: binomialBound(noSelf ? pr.nPost - 1 : pr.nPost, p) };
}

function refuse(what: string): never {
  throw new MicroGpuUnsupportedError(what);
}

const { INPUT_DELTA, INPUT_FILTER, INPUT_KINETIC, INPUT_SYN_Y, INPUT_SYN_Y_STAGES } = PROJECTION_INPUT;

/** How projectionInput reads the projection's ring, its filter stages, and their propagator rows (padded to 3 × 4). */
function inputOf(pr: CompiledProjection): { input: ProjectionInput; stages: number; propagator: Float32Array } {
  const P = new Float32Array(12);
  switch (pr.filter) {
    case FILTER_DELTA:
      return { input: INPUT_DELTA, stages: 0, propagator: P };
    case FILTER_EXP:
      P[0] = pr.expProp!.decay;
      return { input: INPUT_FILTER, stages: 1, propagator: P };
    case FILTER_DUAL: {
      // Stages (h, g): h → h, then h → g and g → g.
      const d = pr.dualProp!;
      P[0] = d.hh;
      P[4] = d.hg;
      P[5] = d.gg;
      return { input: INPUT_FILTER, stages: 2, propagator: P };
    }
    case FILTER_CASCADE: {
      const c = pr.cascadeProp!;
      for (let k = 0; k < 3; k++) for (let j = 0; j <= k; j++) P[4 * k + j] = c.P[3 * k + j];
      return { input: INPUT_FILTER, stages: 3, propagator: P };
    }
    case FILTER_SYN_Y: {
      // The ring holds the filter's value (synY.wgsl); with postsynaptic stages, their propagator.
      const c = pr.cascadeProp;
      const S = pr.postStages;
      for (let k = 0; k < S; k++) for (let j = 0; j <= k; j++) P[4 * k + j] = c!.P[S * k + j];
      return { input: S === 0 ? INPUT_SYN_Y : INPUT_SYN_Y_STAGES, stages: 0, propagator: P };
    }
    case FILTER_KINETIC:
    case FILTER_SYN_KINETIC:
      // The ring holds each step's conductance (kernels/kinetic.wgsl): no filter state.
      return { input: INPUT_KINETIC, stages: 0, propagator: P };
    default:
      return refuse(`projection "${pr.name}": unexpected filter ${pr.filter}`);
  }
}

function synapseData(pr: CompiledProjection): Float32Array {
  const n = pr.nSyn;
  const rows: Float64Array[] = [];
  if (pr.synWeight) rows.push(pr.synWeight);
  if (pr.stpPlacement === 'per-synapse') {
    const h = pr.synStp;
    for (const k of STP_MODELS[stpModelName(pr.stpModel)].params) rows.push(h[k]!);
  }
  if (pr.filter === FILTER_SYN_Y) {
    // kick_s, then the step couplings e^{−dt/τin_s}, P_10 … P_S0 as rows (synY.wgsl).
    rows.push(pr.synKick!);
    const stride = pr.postStages + 1;
    for (let q = 0; q < stride; q++) rows.push(Float64Array.from({ length: n }, (_, s) => pr.synCoupling![s * stride + q]));
  }
  const out = new Float32Array(Math.max(1, rows.length * n));
  for (let i = 0; i < rows.length; i++) out.set(rows[i], i * n);
  return out;
}

/** Every entry at rest (the model table's resting state), for its own parameters where they are per synapse. */
function stpInitial(pr: CompiledProjection, entries: number, vars: number): Float32Array {
  const out = new Float32Array(Math.max(1, entries * vars));
  const model = STP_MODELS[stpModelName(pr.stpModel)];
  const nominal = (pr.stpParams ?? {}) as Record<string, number>;
  const perSynapse = pr.stpPlacement === 'per-synapse';
  const own: Record<string, number> = { ...nominal };
  const restNominal = model.rest(nominal);
  for (let e = 0; e < entries; e++) {
    let rest = restNominal;
    if (perSynapse) {
      for (const k of model.params) own[k] = pr.synStp[k]![e];
      rest = model.rest(own);
    }
    for (let v = 0; v < vars; v++) out[v * entries + e] = rest[v];
  }
  return out;
}

/** The resting state of the projection's nominal parameters, as a vec3 (variables the model lacks 0). */
export function stpRest(pr: CompiledProjection): [number, number, number] {
  const rest = STP_MODELS[stpModelName(pr.stpModel)].rest((pr.stpParams ?? {}) as Record<string, number>);
  return [rest[0] ?? 0, rest[1] ?? 0, rest[2] ?? 0];
}

/** The projection's STP parameters by name, as the StpParams struct takes them (those its model lacks 0). */
export function stpParamValues(pr: CompiledProjection): Record<StpParamKey, number> {
  const values = Object.fromEntries(STP_PARAM_KEYS.map((k) => [k, 0])) as Record<StpParamKey, number>;
  const params = (pr.stpParams ?? {}) as Partial<Record<StpParamKey, number>>;
  for (const k of STP_MODELS[stpModelName(pr.stpModel)].params) values[k] = params[k]!;
  return values;
}

/** Rows of T·nPost in the projection's ring: delay + 1 slots, then synY's accumulators for its postsynaptic stages. */
export function ringRows(q: GpuProjection): number {
  return q.plan.delaySteps + 1 + (q.input === INPUT_SYN_Y_STAGES ? q.plan.postStages : 0);
}

export function planGpu(net: Network, s: Scenario, binSteps: number): GpuPlan {
  const totalBins = Math.floor(net.steps / binSteps);
  const recordInputs = new Map<string, number>();
  for (const r of s.record.inputs) recordInputs.set(r.population, Math.max(recordInputs.get(r.population) ?? 0, r.neurons));
  const recordSpikes = new Map<string, number>();
  for (const r of s.record.spikes) recordSpikes.set(r.population, Math.max(recordSpikes.get(r.population) ?? 0, r.neurons));

  const populations = net.populations.map((plan): GpuPopulation => {
    // support.ts has refused more kernels or blocked pulses than the GPU layout holds.
    const K = plan.adaptDecay.length;
    const recorded = recordInputs.has(plan.name);
    return {
      accRows: plan.pulseInput ? ACC.ACC_BLOCKED + plan.blockedPulses.length : ACC.ACC_INPUT + 1,
      plan,
      hasInput: plan.incoming.length > 0,
      recordInputs: recorded ? Math.min(recordInputs.get(plan.name)!, plan.N) : 0,
      recordMean: recorded && plan.model !== NEURON_POISSON,
      recordSpikes: Math.min(recordSpikes.get(plan.name) ?? 0, plan.N),
      K,
    };
  });

  const projections = net.projections.map((pr): GpuProjection => {
    const { input, stages, propagator } = inputOf(pr);
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
    const stpVars = STP_MODELS[stpModelName(pr.stpModel)].variables.length;
    const perTrialCsr = pr.perTrial && !procedural ? perTrialCsrOf(conn, pr) : null;
    const csr = new Uint32Array(procedural || pr.perTrial ? 1 : pr.nPre + 1 + pr.nSyn);
    if (!procedural && !pr.perTrial) {
      csr.set(pr.csr.rowStart, 0);
      csr.set(pr.csr.targets, pr.nPre + 1);
    }
    return {
      plan: pr,
      input,
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
      perTrialCsr,
      gates: pr.filter === FILTER_KINETIC ? pr.nPre : pr.filter === FILTER_SYN_KINETIC ? pr.nSyn : 0,
      filterRows: input === INPUT_SYN_Y_STAGES ? pr.postStages : stages,
      syn: synapseData(pr),
      stpInitial: stpInitial(pr, stpEntries, stpVars),
    };
  });
  const delta = (q: number) => projections[q].input === INPUT_DELTA;
  const inputOrder = [...projections.keys()].sort((a, b) => Number(delta(b)) - Number(delta(a)) || a - b);

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
    add(4 * ringRows(q) * pr.nPost, `projection "${pr.name}" delay ring`);
    if (q.filterRows > 0) add(4 * q.filterRows * pr.nPost, `projection "${pr.name}" filter state`);
    if (pr.filter === FILTER_SYN_Y) add(4 * pr.nSyn, `projection "${pr.name}" per-synapse y`);
    if (q.gates > 0) add(12 * q.gates, `projection "${pr.name}" receptor gates`);
    if (q.perTrialCsr) add(4 * q.perTrialCsr.stride, `projection "${pr.name}" per-trial connectivity`);
    if (q.stpVars > 0) {
      add(4 * q.stpVars * q.stpEntries, `projection "${pr.name}" STP state`);
      add(4 * q.stpEntries, `projection "${pr.name}" STP update steps`);
      if (s.record.stp) add(4 * q.stpVars * totalBins, `projection "${pr.name}" recorded STP means`);
    }
    shared += q.csr.byteLength + q.syn.byteLength;
  }
  const quantities: GpuQuantity[] = [];
  let statsElements = 0;
  const quantity = (kind: GpuQuantity['kind'], index: number, rows: number, variable = 0) => {
    quantities.push({ kind, index, variable, rows, statsOffset: statsElements });
    statsElements += 2 * rows * totalBins;
  };
  populations.forEach((p, i) => {
    quantity('activity', i, 1);
    if (p.recordInputs > 0) {
      quantity('sampled', i, p.recordInputs);
      quantity('mean', i, 1);
    }
  });
  if (s.record.stp) {
    projections.forEach((q, i) => {
      if (q.plan.stpModel !== STP_NONE) for (let v = 0; v < q.stpVars; v++) quantity('stp', i, 1, v);
    });
  }
  const stats = s.record.trials === 'stats';
  // Each trial's average of every quantity (the standard errors of run-wide means) is one f32 per trial.
  if (stats) add(4 * quantities.length, 'per-trial averages of the recorded quantities');

  const firstFilterInput = inputOrder.find((q) => !delta(q)) ?? -1;
  return {
    net,
    populations,
    projections,
    inputOrder,
    firstFilterInput,
    binSteps,
    totalBins,
    largestPerTrial: largest,
    bytesPerTrial: perTrial,
    sharedBytes: shared + (stats ? 4 * statsElements : 0),
    stats,
    quantities,
    statsElements,
  };
}

/**
 * Trials per batch: as many as fit in one storage binding for every per-trial buffer and, all
 * buffers together, in `memoryBudget` bytes. A single trial that does not fit is refused with
 * the buffer named.
 */
export function trialsPerBatch(
  plan: GpuPlan,
  limits: Pick<AdapterSummary['limits'], 'maxStorageBufferBindingSize' | 'maxBufferSize'>,
  trials: number,
  memoryBudget: number,
): number {
  const maxBinding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const { bytes, what } = plan.largestPerTrial;
  for (const q of plan.projections) {
    if (q.csr.byteLength > maxBinding || q.syn.byteLength > maxBinding) {
      refuse(
        `projection "${q.plan.name}" has ${q.plan.nSyn} synapses, ${Math.max(q.csr.byteLength, q.syn.byteLength)} bytes in one storage binding, above this adapter's maxStorageBufferBindingSize of ${maxBinding}; reduce N or the in-degree`,
      );
    }
  }
  if (plan.stats && 4 * plan.statsElements > maxBinding) {
    refuse(
      `the per-bin trial statistics need ${4 * plan.statsElements} bytes in one storage binding, above this adapter's maxStorageBufferBindingSize of ${maxBinding}; record fewer bins (a larger record.binSize) or fewer series`,
    );
  }
  if (bytes > maxBinding) {
    refuse(
      `${what} needs ${bytes} bytes for a single trial, above this adapter's maxStorageBufferBindingSize of ${maxBinding}; reduce N (or the delay, bins or recorded neurons)`,
    );
  }
  const byBinding = bytes > 0 ? Math.floor(maxBinding / bytes) : trials;
  const room = memoryBudget - plan.sharedBytes;
  if (room < plan.bytesPerTrial) {
    refuse(
      `one trial needs ${plan.bytesPerTrial + plan.sharedBytes} bytes of GPU memory, above the budget of ${memoryBudget}; reduce the network or raise memoryBudget`,
    );
  }
  const byMemory = Math.floor(room / Math.max(1, plan.bytesPerTrial));
  return Math.max(1, Math.min(trials, byBinding, byMemory));
}
