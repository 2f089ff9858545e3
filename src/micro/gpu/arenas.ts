/**
 * The arenas of the schedules that run a whole network step from one kernel module (resident.ts:
 * one dispatch per chunk; fused.ts: two or three dispatches per step). Such a kernel binds three
 * arenas (float, u32, atomic) instead of a buffer per array, which keeps it within any adapter's
 * storage-buffer limit whatever the network.
 *
 * The batch is allocated as for the per-step kernels (allocate.ts), which sets the initial state;
 * the arenas hold copies of those buffers in the same layouts, filled by buffer copies before the
 * first chunk. After each chunk the recorded arrays are copied back into the per-step buffers, so
 * readback, spike records, statistics and cancellation work as in the per-step schedule.
 *
 * Every network runs from the arenas: conductance pulses in the population phase
 * (networkPhases.ts, pulseJump.wgsl), kinetic receptors and per-synapse filters as items per
 * presynaptic neuron in the propagation phase (networkPhases.ts presynapticPhase), every
 * connectivity (explicit rows shared by the trials or drawn per trial, procedural rows regenerated
 * by segmentEvents). A batch whose network drawn per trial exceeds the plan's per-trial layout
 * takes the general schedule (allocate.ts), as does one whose arenas exceed a storage binding.
 */
import type { GpuContext } from '../../gpu/device';
import { createComputeKernel, type ComputeKernel, type WgslPart } from '../../gpu/wgsl';
import { FILTER_SYN_Y, NEURON_POISSON, STP_NONE } from '../../compile';
import type { BatchMemory } from './batchMemory';
import type { PopulationResources, ProjectionResources } from './allocate';
import { ringRows, type GpuPlan } from './plan';
import { ArenaParams, presynapticItems, type ArenaOffsets, type Lin } from './kernels/networkPhases';

export type ArenaName = 'F' | 'U' | 'A';

interface Region {
  buffer: GPUBuffer;
  arena: ArenaName;
  offset: number;
  elements: number;
}

/** The per-step buffers the arena kernels read and write, by population and projection (allocate.ts). */
export interface StepBuffers {
  ctl: GPUBuffer;
  spikeRecords: GPUBuffer;
  populations: Pick<PopulationResources, 'state' | 'refr' | 'activity' | 'sampled' | 'mean'>[];
  projections: Pick<ProjectionResources, 'ring' | 'stages' | 'stp' | 'last' | 'csr' | 'syn' | 'gates' | 'y' | 'recordedStp'>[];
}

/**
 * Places arrays in the arenas at offsets c + t·T (kernels/networkPhases.ts, Lin), so that a
 * kernel does not depend on the batch size.
 */
export class ArenaLayout {
  readonly size: Record<ArenaName, Lin> = { F: { c: 0, t: 0 }, U: { c: 0, t: 0 }, A: { c: 0, t: 0 } };
  readonly copyIn: Region[] = [];
  readonly copyOut: Region[] = [];
  constructor(readonly T: number) {}

  place(arena: ArenaName, per: Lin, buffer: GPUBuffer | null = null, dir: 'in' | 'out' | 'none' = 'none'): Lin {
    const at = { ...this.size[arena] };
    this.size[arena] = { c: at.c + per.c, t: at.t + per.t };
    const elements = per.c + per.t * this.T;
    if (buffer && elements > 0 && dir !== 'none') (dir === 'in' ? this.copyIn : this.copyOut).push({ buffer, arena, offset: at.c + at.t * this.T, elements });
    return at;
  }

  elements(arena: ArenaName): number {
    return this.size[arena].c + this.size[arena].t * this.T;
  }
}

export const shared = (n: number): Lin => ({ c: n, t: 0 });
export const perTrial = (n: number): Lin => ({ c: 0, t: n });

/** The per-step buffers' places in the arenas, with what is copied in before the first chunk and out after each. */
export function layoutStepBuffers(layout: ArenaLayout, plan: GpuPlan, buffers: StepBuffers, recordStp: boolean): ArenaOffsets {
  const bins = plan.totalBins;
  // A network drawn per trial: the batch's blocks, one per trial at the plan's stride. Procedural
  // rows are regenerated: their CSR (a placeholder word, never bound) takes no room.
  const csr = plan.projections.map((gq, q) =>
    layout.place('U', gq.perTrialCsr ? perTrial(gq.perTrialCsr.stride) : shared(gq.procedural ? 0 : gq.csr.length), buffers.projections[q].csr, 'in'),
  );
  const syn = plan.projections.map((gq, q) => layout.place('F', shared(gq.hetWeight || gq.perSynapse ? gq.syn.length : 0), buffers.projections[q].syn, 'in'));
  const offsets: ArenaOffsets = { populations: [], projections: [] };
  plan.populations.forEach((gp, p) => {
    const b = buffers.populations[p];
    const N = gp.plan.N;
    const neuron = gp.plan.model !== NEURON_POISSON;
    // Presynaptic items ask each presynaptic neuron whether it spiked this step (networkPhases.ts
    // markSpike); the word holds the step + 1, so the arena's zeros mean "never".
    const asked = plan.projections.some((gq) => gq.plan.pre === p && presynapticItems(gq));
    offsets.populations.push({
      lastSpike: layout.place('U', perTrial(asked ? N : 0)),
      state: layout.place('F', perTrial(neuron ? N * (1 + gp.K) : 0), b.state, 'in'),
      refr: layout.place('U', perTrial(neuron ? N : 0), b.refr),
      activity: layout.place('A', perTrial(bins), b.activity, 'out'),
      sampled: layout.place('F', perTrial(gp.recordInputs * bins), b.sampled, 'out'),
      mean: layout.place('F', perTrial(gp.recordMean ? bins : 0), b.mean, 'out'),
    });
  });
  plan.projections.forEach((gq, q) => {
    const b = buffers.projections[q];
    const pr = gq.plan;
    const stp = pr.stpModel !== STP_NONE;
    offsets.projections.push({
      ring: layout.place('A', perTrial(ringRows(gq) * pr.nPost), b.ring),
      stages: layout.place('F', perTrial(gq.filterRows * pr.nPost), b.stages),
      stp: layout.place('F', perTrial(stp ? gq.stpVars * gq.stpEntries : 0), b.stp, 'in'),
      last: layout.place('U', perTrial(stp ? gq.stpEntries : 0), b.last),
      csr: csr[q],
      syn: syn[q],
      gates: layout.place('F', perTrial(3 * gq.gates), b.gates, 'in'),
      y: layout.place('F', perTrial(gq.plan.filter === FILTER_SYN_Y ? pr.nSyn : 0), b.y, 'in'),
      recordedStp: layout.place('F', perTrial(stp && recordStp ? gq.stpVars * bins : 0), b.recordedStp, 'out'),
    });
  });
  return offsets;
}

/** An arena kernel's buffers: the arenas (with the initial state copied in) and its batch uniform. */
export interface Arenas {
  buffers: Record<ArenaName, GPUBuffer>;
  params: GPUBuffer;
  copyOut: Region[];
}

/** Creates the arenas and copies the initial state in; null when an arena would exceed one storage binding. */
export function createArenas(ctx: GpuContext, memory: BatchMemory, layout: ArenaLayout, batch: { from: number; lanes: number }, label: string): Arenas | null {
  // Arenas beyond one storage binding: the per-step buffers stay within it (trialsPerBatch), so that schedule runs.
  const limit = Math.min(ctx.summary.limits.maxStorageBufferBindingSize, ctx.summary.limits.maxBufferSize);
  if (4 * Math.max(layout.elements('F'), layout.elements('U'), layout.elements('A')) > limit) return null;
  const buffers = {
    F: memory.storage(4 * layout.elements('F'), `micro-gpu ${label} float arena`),
    U: memory.storage(4 * layout.elements('U'), `micro-gpu ${label} u32 arena`),
    A: memory.storage(4 * layout.elements('A'), `micro-gpu ${label} atomic arena`),
  };
  const params = memory.uniform(ArenaParams, { T: layout.T, trialFrom: batch.from, lanes: batch.lanes }, `micro-gpu ${label} batch`);
  const encoder = ctx.device.createCommandEncoder({ label: `micro-gpu ${label} state in` });
  for (const r of layout.copyIn) encoder.copyBufferToBuffer(r.buffer, 0, buffers[r.arena], 4 * r.offset, 4 * r.elements);
  ctx.device.queue.submit([encoder.finish()]);
  return { buffers, params, copyOut: layout.copyOut };
}

/** The recorded arrays back into the per-step buffers, after a chunk. */
export function encodeCopyOut(encoder: GPUCommandEncoder, arenas: Arenas): void {
  for (const c of arenas.copyOut) encoder.copyBufferToBuffer(arenas.buffers[c.arena], 4 * c.offset, c.buffer, 0, 4 * c.elements);
}

const kernelCache = new WeakMap<GpuContext, Map<string, Promise<ComputeKernel>>>();

/** Compiles a generated kernel once per context and source (batches of one run share it). */
export function arenaKernel(
  ctx: GpuContext,
  opts: { label: string; parts: WgslPart[]; entryPoint?: string; layout?: GPUPipelineLayout },
): Promise<ComputeKernel> {
  let cache = kernelCache.get(ctx);
  if (!cache) {
    cache = new Map();
    kernelCache.set(ctx, cache);
  }
  const key = `${opts.entryPoint ?? 'main'}\n${opts.parts.map((p) => p.code).join('\n')}`;
  let kernel = cache.get(key);
  if (!kernel) {
    kernel = createComputeKernel(ctx, opts);
    cache.set(key, kernel);
  }
  return kernel;
}
