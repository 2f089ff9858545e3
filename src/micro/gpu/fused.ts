/**
 * The fused mode (docs/gpu-engine.md, "Fused mode"): every trial of the batch advances by two
 * dispatches per step, three at a bin's end with STP means recorded (kernels/fused.wgsl), over
 * the arenas of arenas.ts. It runs what the resident mode runs, every network (arenas.ts), with
 * no bound on a trial's neurons, and where the resident mode does not pay: many trials on a
 * CPU-emulated adapter.
 */
import type { GpuContext } from '../../gpu/device';
import type { ComputeKernel } from '../../gpu/wgsl';
import { gridFor, type Grid } from '../../gpu/dispatch';
import { STP_NONE } from '../../compile';
import type { BatchMemory } from './batchMemory';
import { WG } from './layout';
import type { GpuPlan } from './plan';
import { ArenaLayout, arenaKernel, createArenas, layoutStepBuffers, perTrial, type Arenas, type StepBuffers } from './arenas';
import { FUSED_MAX_LANES, FusedStep, fusedWgsl, partialLanes, populationBlocks, type FusedOffsets } from './kernels/fused';
import { presynapticItems } from './kernels/networkPhases';

/**
 * Invocations per trial: enough lanes over the batch for the adapter's width (4096 in all on a
 * GPU; 256 on a CPU-emulated adapter, where an invocation that finds no work still costs
 * ~0.1 µs and only a few lanes run at once), one lane per trial where the batch alone fills it,
 * at most FUSED_MAX_LANES (a lane's input-sum share is summed by one invocation).
 */
export function fusedLanes(T: number, software: boolean): number {
  const lanes = Math.floor((software ? 256 : 4096) / T);
  return lanes <= 1 ? 1 : Math.min(FUSED_MAX_LANES, 2 ** Math.floor(Math.log2(lanes)));
}

/**
 * Whether the STP means take one invocation per trial rather than a workgroup: for up to 512
 * entries per projection (as recordStp's variants), and on a CPU-emulated adapter, whose barriers
 * run lane after lane, for up to 65536 (beyond, the lanes' shares keep the float32 sums short),
 * except under a loop iteration cap (AdapterSummary.loopIterationCap: Mesa's llvmpipe before 25),
 * which one invocation's walk over 65536 entries would reach.
 */
export function stpMeansPerThread(plan: GpuPlan, software: boolean, loopCap: number | null = null): boolean {
  const most = Math.max(0, ...plan.projections.map((gq) => gq.stpEntries));
  return most <= 512 || (software && loopCap === null && most <= 65536);
}

export interface FusedResources {
  populations: ComputeKernel;
  propagation: ComputeKernel;
  /** The STP means at a bin's end; null when none is recorded. */
  binEnd: ComputeKernel | null;
  bind: GPUBindGroup;
  /** Bytes between two steps' records of the step uniform (the dynamic offset of step k is k·stride). */
  stride: number;
  grids: { populations: Grid; propagation: Grid; binEnd: Grid };
  arenas: Arenas;
}

/** Lays out and fills the arenas and compiles the batch's kernels; null when an arena would exceed one storage binding. */
export async function allocateFused(
  ctx: GpuContext,
  memory: BatchMemory,
  plan: GpuPlan,
  batch: { T: number; from: number; seed: number; driveOffset: number; recordStp: boolean; chunkSteps: number },
  buffers: StepBuffers,
): Promise<FusedResources | null> {
  const { T } = batch;
  const layout = new ArenaLayout(T);
  const offsets = layoutStepBuffers(layout, plan, buffers, batch.recordStp);
  const g = { plan, seed: batch.seed, driveOffset: batch.driveOffset, recordStp: batch.recordStp, offsets };
  const fused: FusedOffsets = {
    spikeList: plan.populations.map((gp) => layout.place('U', perTrial(gp.plan.N))),
    efficacy: plan.projections.map((gq) =>
      layout.place('F', perTrial(gq.plan.stpModel !== STP_NONE && !gq.perSynapse && !presynapticItems(gq) ? gq.plan.nPre : 0)),
    ),
    inputPartial: plan.populations.map((gp, p) => layout.place('F', perTrial(gp.recordMean ? partialLanes(plan, p) : 0))),
    spikeCounts: layout.place('A', perTrial(2 * plan.populations.length)),
  };
  const lanes = fusedLanes(T, ctx.summary.software);
  const arenas = createArenas(ctx, memory, layout, { from: batch.from, lanes }, 'fused');
  if (!arenas) return null;

  const stride = Math.max(256, ctx.device.limits.minUniformBufferOffsetAlignment);
  const steps = memory.uniformRecords(
    FusedStep,
    Array.from({ length: batch.chunkSteps }, (_, k) => ({ k })),
    stride,
    'micro-gpu fused steps',
  );
  const storage = (binding: number): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } });
  const bindLayout = ctx.device.createBindGroupLayout({
    label: 'micro-gpu fused',
    entries: [
      ...[0, 1, 2, 3, 4].map(storage),
      { binding: 5, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
      { binding: 6, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: FusedStep.size } },
    ],
  });
  const pipelineLayout = ctx.device.createPipelineLayout({ label: 'micro-gpu fused', bindGroupLayouts: [bindLayout] });
  const parts = fusedWgsl({ ...g, fused });
  const kernel = (entryPoint: string) => arenaKernel(ctx, { label: `micro-gpu fused.${entryPoint}`, parts, entryPoint, layout: pipelineLayout });
  const recordsStp = batch.recordStp && plan.projections.some((gq) => gq.plan.stpModel !== STP_NONE);
  const perThread = stpMeansPerThread(plan, ctx.summary.software, ctx.summary.loopIterationCap);
  const [populations, propagation, binEnd] = await Promise.all([
    kernel('populations'),
    kernel('propagation'),
    recordsStp ? kernel(perThread ? 'binEndThread' : 'binEnd') : null,
  ]);
  const bind = ctx.device.createBindGroup({
    label: 'micro-gpu fused',
    layout: bindLayout,
    entries: [
      ...[buffers.ctl, arenas.buffers.F, arenas.buffers.U, arenas.buffers.A, buffers.spikeRecords, arenas.params].map((buffer, binding) => ({
        binding,
        resource: { buffer },
      })),
      { binding: 6, resource: { buffer: steps, offset: 0, size: FusedStep.size } },
    ],
  });
  const maxPerDimension = ctx.summary.limits.maxComputeWorkgroupsPerDimension;
  const populationInvocations = T * plan.populations.reduce((s, _, p) => s + Math.min(populationBlocks(plan, p), lanes), 0);
  return {
    populations,
    propagation,
    binEnd,
    bind,
    stride,
    grids: {
      populations: gridFor(Math.ceil(populationInvocations / WG), maxPerDimension),
      propagation: gridFor(Math.ceil((T * lanes) / WG), maxPerDimension),
      binEnd: gridFor(perThread ? Math.ceil(T / WG) : T, maxPerDimension),
    },
    arenas,
  };
}

/** Steps [n0, n1) of a chunk on one compute pass; returns the dispatches encoded. */
export function encodeFusedSteps(pass: GPUComputePassEncoder, plan: GpuPlan, r: FusedResources, n0: number, n1: number): number {
  const recordedSteps = plan.totalBins * plan.binSteps;
  let dispatches = 0;
  const dispatch = (kernel: ComputeKernel, grid: Grid) => {
    pass.setPipeline(kernel.pipeline);
    pass.dispatchWorkgroups(grid.x, grid.y);
    dispatches++;
  };
  for (let n = n0; n < n1; n++) {
    pass.setBindGroup(0, r.bind, [(n - n0) * r.stride]);
    dispatch(r.populations, r.grids.populations);
    dispatch(r.propagation, r.grids.propagation);
    if (r.binEnd && n < recordedSteps && (n + 1) % plan.binSteps === 0) dispatch(r.binEnd, r.grids.binEnd);
  }
  return dispatches;
}
