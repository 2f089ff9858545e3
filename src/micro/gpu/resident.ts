/**
 * The resident mode (docs/gpu-engine.md, "Resident mode"): when a trial's network fits one
 * workgroup's reach, one dispatch advances every trial of the batch through a whole chunk of
 * steps (kernels/resident.wgsl), instead of a dozen dispatches per step.
 *
 * The batch is allocated as for the per-step kernels (allocate.ts), which sets the initial state;
 * the resident kernel works on three arenas (float, u32, atomic) holding copies of those buffers
 * in the same layouts, filled by buffer copies before the first chunk. After each chunk the
 * recorded arrays are copied back into the per-step buffers, so readback, spike records,
 * statistics and cancellation work as in the per-step schedule.
 */
import type { GpuContext } from '../../gpu/device';
import { createComputeKernel, type ComputeKernel } from '../../gpu/wgsl';
import { gridFor } from '../../gpu/dispatch';
import { NEURON_POISSON, STP_NONE } from '../../compile';
import type { BatchMemory } from './batchMemory';
import { PROJECTION_INPUT } from './layout';
import { ringRows, type GpuPlan } from './plan';
import { ResidentParams, residentWgsl, type Lin, type ResidentOffsets } from './kernels/resident';

/** The most neurons (all populations together) a trial may have: each step's spike lists live in workgroup memory. */
export const RESIDENT_MAX_NEURONS = 2048;

/** How the steps of a batch are scheduled: one set of dispatches per step, or one dispatch per chunk. */
export type GpuScheduleMode = 'general' | 'resident';

/**
 * Why the plan cannot run resident (null when it can). What the resident kernel does not
 * implement runs in the general mode, which implements everything.
 */
export function residentUnsupported(plan: GpuPlan): string | null {
  const neurons = plan.populations.reduce((s, p) => s + p.plan.N, 0);
  if (neurons > RESIDENT_MAX_NEURONS) return `a trial has ${neurons} neurons, more than the ${RESIDENT_MAX_NEURONS} whose spikes one workgroup holds`;
  for (const gp of plan.populations) {
    const p = gp.plan;
    if (p.model !== NEURON_POISSON && (p.conductanceInput || p.pulseInput)) return `population "${p.name}" receives conductance input`;
  }
  for (const gq of plan.projections) {
    const pr = gq.plan;
    const name = `projection "${pr.name}"`;
    if (gq.input !== PROJECTION_INPUT.INPUT_DELTA && gq.input !== PROJECTION_INPUT.INPUT_FILTER) return `${name} has per-synapse filters or kinetic receptors`;
    if (pr.conductance) return `${name} is conductance-based`;
    if (gq.procedural) return `${name} has procedural connectivity`;
    if (pr.perTrial) return `${name} draws a network per trial`;
    if (gq.perSynapse) return `${name} keeps its STP state per synapse`;
  }
  return null;
}

/**
 * On a CPU-emulated adapter (llvmpipe, SwiftShader) a workgroup's lanes and barriers run one
 * after another, so beyond this many trials per batch the per-step dispatches, which spread each
 * phase over all trials at once, cost less (docs/gpu-engine.md has the measurements).
 */
export const RESIDENT_SOFTWARE_MAX_TRIALS = 32;

/** Whether a batch of T trials runs resident under `mode` (auto: where it can and it pays). */
export function runsResident(plan: GpuPlan, T: number, software: boolean, mode: 'auto' | GpuScheduleMode): boolean {
  if (mode === 'general' || residentUnsupported(plan) !== null) return false;
  return mode === 'resident' || !software || T <= RESIDENT_SOFTWARE_MAX_TRIALS;
}

interface Region {
  buffer: GPUBuffer;
  arena: 'F' | 'U' | 'A';
  offset: number;
  elements: number;
}

export interface ResidentResources {
  kernel: ComputeKernel;
  bind: GPUBindGroup;
  workgroups: number;
  /** Arena regions copied from the per-step buffers before the first chunk, and back after each chunk. */
  copyIn: Region[];
  copyOut: Region[];
  arenas: Record<'F' | 'U' | 'A', GPUBuffer>;
}

const kernelCache = new WeakMap<GpuContext, Map<string, Promise<ComputeKernel>>>();

/** The per-step buffers the resident kernel reads and writes, by population and projection (allocate.ts). */
export interface StepBuffers {
  ctl: GPUBuffer;
  spikeRecords: GPUBuffer;
  populations: { state: GPUBuffer; refr: GPUBuffer; activity: GPUBuffer; sampled: GPUBuffer; mean: GPUBuffer }[];
  projections: { ring: GPUBuffer; stages: GPUBuffer; stp: GPUBuffer; last: GPUBuffer; csr: GPUBuffer | null; syn: GPUBuffer; recordedStp: GPUBuffer }[];
}

/**
 * Lays out the arenas, creates them, copies the initial state in, and compiles the batch's kernel;
 * null when an arena would exceed one storage binding.
 */
export async function allocateResident(
  ctx: GpuContext,
  memory: BatchMemory,
  plan: GpuPlan,
  batch: { T: number; from: number; seed: number; driveOffset: number; recordStp: boolean },
  buffers: StepBuffers,
): Promise<ResidentResources | null> {
  const { T } = batch;
  // Offsets are c + t·T (kernels/resident.ts, Lin): the trial-independent arrays (CSR, weights)
  // first, then the per-trial ones, so that the kernel does not depend on the batch size.
  const size: Record<'F' | 'U' | 'A', Lin> = { F: { c: 0, t: 0 }, U: { c: 0, t: 0 }, A: { c: 0, t: 0 } };
  const copyIn: Region[] = [];
  const copyOut: Region[] = [];
  const place = (arena: 'F' | 'U' | 'A', per: Lin, buffer: GPUBuffer | null, dir: 'in' | 'out' | 'none'): Lin => {
    const at = { ...size[arena] };
    size[arena] = { c: at.c + per.c, t: at.t + per.t };
    const elements = per.c + per.t * T;
    if (buffer && elements > 0 && dir !== 'none') (dir === 'in' ? copyIn : copyOut).push({ buffer, arena, offset: at.c + at.t * T, elements });
    return at;
  };
  const shared = (n: number): Lin => ({ c: n, t: 0 });
  const perTrial = (n: number): Lin => ({ c: 0, t: n });
  const bins = plan.totalBins;
  const csr = plan.projections.map((gq, q) => place('U', shared(gq.csr.length), buffers.projections[q].csr, 'in'));
  const syn = plan.projections.map((gq, q) => place('F', shared(gq.hetWeight ? gq.syn.length : 0), buffers.projections[q].syn, 'in'));
  const offsets: ResidentOffsets = { populations: [], projections: [] };
  plan.populations.forEach((gp, p) => {
    const b = buffers.populations[p];
    const N = gp.plan.N;
    const neuron = gp.plan.model !== NEURON_POISSON;
    offsets.populations.push({
      state: place('F', perTrial(neuron ? N * (1 + gp.K) : 0), b.state, 'in'),
      refr: place('U', perTrial(neuron ? N : 0), b.refr, 'none'),
      activity: place('A', perTrial(bins), b.activity, 'out'),
      sampled: place('F', perTrial(gp.recordInputs * bins), b.sampled, 'out'),
      mean: place('F', perTrial(gp.recordMean ? bins : 0), b.mean, 'out'),
    });
  });
  plan.projections.forEach((gq, q) => {
    const b = buffers.projections[q];
    const pr = gq.plan;
    const stp = pr.stpModel !== STP_NONE;
    offsets.projections.push({
      ring: place('A', perTrial(ringRows(gq) * pr.nPost), b.ring, 'none'),
      stages: place('F', perTrial(gq.filterRows * pr.nPost), b.stages, 'none'),
      stp: place('F', perTrial(stp ? gq.stpVars * gq.stpEntries : 0), b.stp, 'in'),
      last: place('U', perTrial(stp ? gq.stpEntries : 0), b.last, 'none'),
      csr: csr[q],
      syn: syn[q],
      recordedStp: place('F', perTrial(stp && batch.recordStp ? gq.stpVars * bins : 0), b.recordedStp, 'out'),
    });
  });
  const elements = (l: Lin) => l.c + l.t * T;
  // Arenas beyond one storage binding: the per-step buffers stay within it (trialsPerBatch), so that schedule runs.
  const limit = Math.min(ctx.summary.limits.maxStorageBufferBindingSize, ctx.summary.limits.maxBufferSize);
  if (4 * Math.max(elements(size.F), elements(size.U), elements(size.A)) > limit) return null;
  const arenas = {
    F: memory.storage(4 * elements(size.F), 'micro-gpu resident float arena'),
    U: memory.storage(4 * elements(size.U), 'micro-gpu resident u32 arena'),
    A: memory.storage(4 * elements(size.A), 'micro-gpu resident atomic arena'),
  };
  const params = memory.uniform(ResidentParams, { T, trialFrom: batch.from }, 'micro-gpu resident batch');
  const encoder = ctx.device.createCommandEncoder({ label: 'micro-gpu resident state in' });
  for (const r of copyIn) encoder.copyBufferToBuffer(r.buffer, 0, arenas[r.arena], 4 * r.offset, 4 * r.elements);
  ctx.device.queue.submit([encoder.finish()]);

  const parts = residentWgsl({ plan, seed: batch.seed, driveOffset: batch.driveOffset, recordStp: batch.recordStp, offsets });
  let cache = kernelCache.get(ctx);
  if (!cache) {
    cache = new Map();
    kernelCache.set(ctx, cache);
  }
  const key = parts.map((p) => p.code).join('\n');
  let kernel = cache.get(key);
  if (!kernel) {
    kernel = createComputeKernel(ctx, { label: 'micro-gpu resident', parts });
    cache.set(key, kernel);
  }
  const compiled = await kernel;
  const bind = ctx.device.createBindGroup({
    label: 'micro-gpu resident',
    layout: compiled.layout,
    entries: [buffers.ctl, arenas.F, arenas.U, arenas.A, buffers.spikeRecords, params].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  return { kernel: compiled, bind, workgroups: T, copyIn, copyOut, arenas };
}

/** One chunk: the resident dispatch, then the recorded arrays back into the per-step buffers. */
export function encodeResidentChunk(ctx: GpuContext, encoder: GPUCommandEncoder, r: ResidentResources): void {
  const pass = encoder.beginComputePass({ label: 'micro-gpu resident steps' });
  pass.setPipeline(r.kernel.pipeline);
  pass.setBindGroup(0, r.bind);
  const grid = gridFor(r.workgroups, ctx.summary.limits.maxComputeWorkgroupsPerDimension);
  pass.dispatchWorkgroups(grid.x, grid.y);
  pass.end();
  for (const c of r.copyOut) encoder.copyBufferToBuffer(r.arenas[c.arena], 4 * c.offset, c.buffer, 0, 4 * c.elements);
}
