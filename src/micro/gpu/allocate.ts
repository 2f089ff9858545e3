/**
 * Allocation of one batch of trials [from, from + T): its buffers (state, rings, recordings,
 * the control buffer) and, through the kernel modules, every dispatch of a step with its
 * parameters and bind group. What runs when is stepSchedule.ts's; what is read back, readback.ts's.
 */
import { QueueWaiter } from '../../gpu/queueWait';
import type { GpuContext } from '../../gpu/device';
import { gridFor } from '../../gpu/dispatch';
import type { Scenario } from '../../model/scenario';
import { PoissonEventTables } from '../../rng/poissonEvents';
import { seedWord } from '../../rng/streams';
import { FILTER_SYN_Y, NEURON_POISSON, STP_NONE, trialConnectivity } from '../../compile';
import { BatchMemory } from './batchMemory';
import { CONTROL, SPIKE_RECORD_CAPACITY, SPIKE_RECORD_WORDS, WG } from './layout';
import { MicroGpuUnsupportedError, ringRows, type GpuPlan, type GpuPopulation, type GpuProjection } from './plan';
import { allocateResident, chooseSchedule, scheduleUnsupported, type GpuScheduleMode, type ResidentResources } from './resident';
import { allocateFused, type FusedResources } from './fused';
import { controlWords } from './stepSchedule';
import type { Dispatch, KernelSetup, MicroKernels } from './kernels/kernel';
import { applyPulsesDispatch } from './kernels/applyPulses';
import { kineticDispatches } from './kernels/kinetic';
import { populationStepDispatch } from './kernels/populationStep';
import { projectionInputDispatch } from './kernels/projectionInput';
import { propagateDispatch } from './kernels/propagate';
import { propagateProceduralDispatch } from './kernels/propagateProcedural';
import { recordInputMeanDispatch } from './kernels/recordInputMean';
import { recordStpDispatch } from './kernels/recordStp';
import { spikeArgsBytes, spikeArgsDispatch } from './kernels/spikeArgs';
import { stepEndDispatch } from './kernels/stepEnd';
import { synYDispatches } from './kernels/synY';

export interface PopulationResources {
  /** V then the adaptation variables, and the refractory counters (the resident and fused modes copy them, arenas.ts). */
  state: GPUBuffer;
  refr: GPUBuffer;
  /** Spike counts per trial and bin, recorded inputs, the input mean (readback.ts). */
  activity: GPUBuffer;
  sampled: GPUBuffer;
  mean: GPUBuffer;
  step: Dispatch;
  recordMean: Dispatch | null;
  pulses: Dispatch | null;
}

export interface ProjectionResources {
  /** The delay ring, filter stages, STP state and update steps, CSR and synapse data (the resident and fused modes copy them, arenas.ts). */
  ring: GPUBuffer;
  stages: GPUBuffer;
  stp: GPUBuffer;
  last: GPUBuffer;
  csr: GPUBuffer | null;
  syn: GPUBuffer;
  /** Kinetic receptor gates (rows of T·gates: s, Tmax·w, pulse time left); unused without them. */
  gates: GPUBuffer;
  /** Per-synapse filters: each synapse's y (T·nSyn); unused without them. */
  y: GPUBuffer;
  input: Dispatch;
  /** After the spike arguments, in order: indirect (by spike count) or a fixed grid. */
  propagation: Dispatch[];
  recordStp: Dispatch | null;
  recordedStp: GPUBuffer;
  /** Why the batch's network drawn per trial does not fit the fused and resident layouts (null: it does, or is shared). */
  beyondLayout: string | null;
}

export interface BatchResources {
  from: number;
  T: number;
  memory: BatchMemory;
  ctl: GPUBuffer;
  spikeRecords: GPUBuffer;
  /** Where the drive values start in the control buffer (u32 words). */
  driveOffset: number;
  /** Steps per submission: at most one spike per recorded neuron and step fits the record buffer. */
  chunkCapacity: number;
  /** The CDF tables of each event-scheme Poisson population (null for the others), written with each chunk. */
  poissonTables: (PoissonEventTables | null)[];
  populations: PopulationResources[];
  projections: ProjectionResources[];
  /** record.trials 'stats': where the batch's statistics are reduced to (reduce.ts); unused buffers otherwise. */
  binStats: GPUBuffer;
  trialAverages: GPUBuffer;
  /** What the kernel modules need to build further dispatches of this batch (the reductions at its end). */
  setup: KernelSetup;
  spikeArgs: Dispatch;
  stepEnd: Dispatch;
  /** The resident schedule's kernel and arenas, when the batch runs resident (resident.ts). */
  resident: ResidentResources | null;
  /** The fused schedule's kernels and arenas, when the batch runs fused (fused.ts). */
  fused: FusedResources | null;
  /** Waits for each chunk without spinning a core (gpu/queueWait.ts). */
  waiter: QueueWaiter;
}

/** Creates the batch's buffers and dispatches; on failure frees what it created. */
export async function allocateBatch(
  ctx: GpuContext,
  kernels: MicroKernels,
  plan: GpuPlan,
  scenario: Scenario,
  from: number,
  T: number,
  chunkSteps: number,
  mode: 'auto' | GpuScheduleMode = 'auto',
): Promise<BatchResources> {
  const P = plan.populations.length;
  const driveOffset = Math.ceil((CONTROL.CTL_SPIKE_COUNTS + P) / 4) * 4;
  const recordedPerStep = T * plan.populations.reduce((s, p) => s + p.recordSpikes, 0);
  // At most one spike per recorded neuron and step: a chunk never overflows the record buffer.
  const chunkCapacity = Math.max(1, Math.min(chunkSteps, recordedPerStep > 0 ? Math.floor(SPIKE_RECORD_CAPACITY / recordedPerStep) : chunkSteps));
  const memory = new BatchMemory(ctx);
  try {
    const ctl = memory.storage(4 * controlWords(plan, driveOffset, chunkCapacity), 'micro-gpu control');
    const args = memory.storage(spikeArgsBytes(P), 'micro-gpu dispatch arguments', GPUBufferUsage.INDIRECT);
    const spikeRecords = memory.storage(
      plan.populations.some((p) => p.recordSpikes > 0) ? 4 * SPIKE_RECORD_WORDS * SPIKE_RECORD_CAPACITY : 16,
      'micro-gpu spike records',
    );
    const maxPerDimension = ctx.summary.limits.maxComputeWorkgroupsPerDimension;
    const setup: KernelSetup = {
      ctx,
      kernels,
      plan,
      from,
      T,
      seed: seedWord(scenario.run.seed),
      driveOffset,
      args,
      uniform: (struct, values, label) => memory.uniform(struct, values, label),
      grid: (items, perWorkgroup = WG) => gridFor(Math.ceil(items / perWorkgroup), maxPerDimension),
    };
    const populations: (PopulationResources & { state: GPUBuffer; refr: GPUBuffer; acc: GPUBuffer; spikes: GPUBuffer })[] = [];
    for (const gp of plan.populations) populations.push(await allocatePopulation(setup, memory, gp, ctl, spikeRecords));
    const projections: ProjectionResources[] = [];
    for (const gq of plan.projections) {
      const pre = populations[gq.plan.pre];
      const post = populations[gq.plan.post];
      projections.push(
        await allocateProjection(setup, memory, gq, scenario.record.stp, { ctl, spikes: pre.spikes, state: post.state, refr: post.refr, acc: post.acc }),
      );
    }
    // A network drawn beyond the per-trial layout the arena kernels compile in: auto takes the general schedule.
    const beyondLayout = projections.find((q) => q.beyondLayout !== null)?.beyondLayout ?? null;
    const loopCap = ctx.summary.loopIterationCap;
    const chosen = chooseSchedule(plan, T, ctx.summary.software, mode, loopCap);
    const schedule = mode === 'auto' && beyondLayout !== null ? 'general' : chosen;
    const why = scheduleUnsupported(plan, schedule, loopCap) ?? (schedule === 'general' ? null : beyondLayout);
    if (why !== null) throw new MicroGpuUnsupportedError(`the ${schedule} mode cannot run this scenario: ${why}`);
    const batch = { T, from, seed: setup.seed, driveOffset, recordStp: scenario.record.stp, chunkSteps: chunkCapacity };
    const stepBuffers = { ctl, spikeRecords, populations, projections };
    const resident = schedule === 'resident' ? await allocateResident(ctx, memory, plan, batch, stepBuffers) : null;
    const fused = schedule === 'fused' ? await allocateFused(ctx, memory, plan, batch, stepBuffers) : null;
    // An arena beyond one storage binding: the per-step buffers stay within it, so the general schedule runs.
    if (mode !== 'auto' && mode !== 'general' && !resident && !fused) {
      throw new MicroGpuUnsupportedError(
        `the ${mode} mode cannot run this scenario: its state exceeds one storage binding; use --schedule general or fewer trials per batch`,
      );
    }
    return {
      from,
      T,
      memory,
      ctl,
      spikeRecords,
      driveOffset,
      chunkCapacity,
      poissonTables: plan.populations.map((p) => (p.plan.poissonEvents ? new PoissonEventTables(p.plan.N) : null)),
      populations,
      projections,
      binStats: plan.stats ? memory.storage(4 * plan.statsElements, 'micro-gpu trial statistics') : memory.unused(),
      trialAverages: plan.stats ? memory.storage(4 * T * plan.quantities.length, 'micro-gpu per-trial averages') : memory.unused(),
      setup,
      spikeArgs: await spikeArgsDispatch(setup, { ctl, args }),
      stepEnd: await stepEndDispatch(setup, ctl),
      resident,
      fused,
      waiter: new QueueWaiter(ctx),
    };
  } catch (error) {
    memory.destroy();
    throw error;
  }
}

async function allocatePopulation(setup: KernelSetup, memory: BatchMemory, gp: GpuPopulation, ctl: GPUBuffer, spikeRec: GPUBuffer) {
  const { T, plan } = setup;
  const bins = plan.totalBins;
  const p = gp.plan;
  const neuron = p.model !== NEURON_POISSON;
  const TN = T * p.N;
  const state = neuron ? memory.storage(4 * TN * (1 + gp.K), `${p.name} state`) : memory.unused();
  if (neuron) {
    const init = new Float32Array(TN * (1 + gp.K));
    init.fill(p.V0, 0, TN);
    setup.ctx.device.queue.writeBuffer(state, 0, init);
  }
  const refr = neuron ? memory.storage(4 * TN, `${p.name} refractory`) : memory.unused();
  const acc = neuron && (gp.hasInput || gp.recordMean) ? memory.storage(4 * TN * gp.accRows, `${p.name} input sums`) : memory.unused();
  const spikes = memory.storage(4 * TN, `${p.name} spikes`);
  const activity = memory.storage(4 * T * bins, `${p.name} activity`);
  const sampled = gp.recordInputs > 0 ? memory.storage(4 * T * gp.recordInputs * bins, `${p.name} recorded inputs`) : memory.unused();
  const mean = gp.recordMean ? memory.storage(4 * T * bins, `${p.name} input mean`) : memory.unused();
  return {
    state,
    refr,
    acc,
    spikes,
    activity,
    sampled,
    mean,
    step: await populationStepDispatch(setup, gp, { ctl, state, refr, acc, spikes, activity, sampled, spikeRec }),
    recordMean: gp.recordMean ? await recordInputMeanDispatch(setup, gp, { ctl, acc, mean }) : null,
    pulses: p.pulseInput ? await applyPulsesDispatch(setup, gp, { state, refr, acc }) : null,
  };
}

async function allocateProjection(
  setup: KernelSetup,
  memory: BatchMemory,
  gq: GpuProjection,
  recordStp: boolean,
  b: { ctl: GPUBuffer; spikes: GPUBuffer; state: GPUBuffer; refr: GPUBuffer; acc: GPUBuffer },
): Promise<ProjectionResources> {
  const { T } = setup;
  const pr = gq.plan;
  const slotLen = T * pr.nPost;
  const ring = memory.storage(4 * ringRows(gq) * slotLen, `${pr.name} ring`);
  const stages = gq.filterRows > 0 ? memory.storage(4 * gq.filterRows * slotLen, `${pr.name} filter`) : memory.unused();
  const entries = T * gq.stpEntries;
  let stp = memory.unused();
  let last = memory.unused();
  if (gq.stpVars > 0) {
    stp = memory.storage(4 * gq.stpVars * entries, `${pr.name} STP state`);
    const init = new Float32Array(gq.stpVars * entries);
    for (let v = 0; v < gq.stpVars; v++)
      for (let t = 0; t < T; t++) init.set(gq.stpInitial.subarray(v * gq.stpEntries, (v + 1) * gq.stpEntries), v * entries + t * gq.stpEntries);
    setup.ctx.device.queue.writeBuffer(stp, 0, init);
    last = memory.storage(4 * entries, `${pr.name} STP update steps`);
  }
  const syn = memory.upload(gq.syn, `${pr.name} synapse parameters`);
  const input = await projectionInputDispatch(setup, gq, { ctl: b.ctl, ring, stages, state: b.state, refr: b.refr, acc: b.acc });

  // Procedural rows are regenerated on the GPU: no CSR to bind.
  const gen = gq.procedural;
  const csr = gen ? { data: gq.csr, stride: 0, longestRow: 0, beyondLayout: null } : batchCsr(gq, setup.from, T);
  let csrUploaded: GPUBuffer | null = null;
  const csrBuffer = (): GPUBuffer => {
    csrUploaded = memory.upload(csr.data, `${pr.name} CSR`);
    return csrUploaded;
  };
  let propagation: Dispatch[];
  let gates = memory.unused();
  let y = memory.unused();
  if (pr.filter === FILTER_SYN_Y) {
    y = memory.storage(4 * T * pr.nSyn, `${pr.name} per-synapse y`);
    propagation = await synYDispatches(setup, gq, { ctl: b.ctl, spikes: b.spikes, ring, csr: csrBuffer(), syn, stp, last, y, stages });
  } else if (gq.gates > 0) {
    gates = memory.storage(12 * T * gq.gates, `${pr.name} receptor gates`);
    propagation = await kineticDispatches(setup, gq, csr.stride, { ctl: b.ctl, spikes: b.spikes, ring, csr: csrBuffer(), syn, stp, last, gates });
  } else if (gen) {
    propagation = [await propagateProceduralDispatch(setup, gq, gen, { ctl: b.ctl, spikes: b.spikes, ring, stp, last })];
  } else {
    propagation = [await propagateDispatch(setup, gq, csr, { ctl: b.ctl, spikes: b.spikes, ring, csr: csrBuffer(), syn, stp, last })];
  }

  let recordedStp = memory.unused();
  let record: Dispatch | null = null;
  if (recordStp && pr.stpModel !== STP_NONE) {
    recordedStp = memory.storage(4 * gq.stpVars * T * setup.plan.totalBins, `${pr.name} recorded STP`);
    record = await recordStpDispatch(setup, gq, { ctl: b.ctl, stp, last, syn, out: recordedStp });
  }
  return { ring, stages, stp, last, csr: csrUploaded, syn, gates, y, input, propagation, recordStp: record, recordedStp, beyondLayout: csr.beyondLayout };
}

/**
 * The CSR the batch binds: the shared one, or under connectivity.perTrial one block per trial of
 * the batch (each of the same stride), built from the CPU engine's per-trial seeds. The blocks
 * take the plan's layout (plan.ts PerTrialCsr), which the fused and resident kernels compile in;
 * a trial drawn beyond it gets a stride of its batch's own, and `beyondLayout` says why the batch
 * runs in the general schedule.
 */
function batchCsr(q: GpuProjection, from: number, T: number): { data: Uint32Array; stride: number; longestRow: number; beyondLayout: string | null } {
  const pr = q.plan;
  const longest = (rowStart: Int32Array) => {
    let m = 0;
    for (let j = 0; j < pr.nPre; j++) m = Math.max(m, rowStart[j + 1] - rowStart[j]);
    return m;
  };
  if (!q.perTrialCsr) return { data: q.csr, stride: 0, longestRow: longest(pr.csr.rowStart), beyondLayout: null };
  const layout = q.perTrialCsr;
  const trials = Array.from({ length: T }, (_, b) => trialConnectivity(pr, from + b));
  const synapses = Math.max(...trials.map((c) => c.targets.length));
  const longestRow = Math.max(...trials.map((c) => longest(c.rowStart)));
  const fits = pr.nPre + 1 + synapses <= layout.stride && longestRow <= layout.longestRow;
  const stride = fits ? layout.stride : pr.nPre + 1 + synapses;
  const data = new Uint32Array(T * stride);
  trials.forEach((c, b) => {
    data.set(c.rowStart, b * stride);
    data.set(c.targets, b * stride + pr.nPre + 1);
  });
  const beyondLayout = fits
    ? null
    : `projection "${pr.name}" drew a trial network of ${synapses} synapses with rows up to ${longestRow}, beyond the ${layout.stride - pr.nPre - 1} synapses and rows of ${layout.longestRow} its per-trial layout holds`;
  return { data, stride, longestRow, beyondLayout };
}
