/**
 * The resident mode (docs/gpu-engine.md, "Resident mode"): when a trial's network fits one
 * workgroup's reach, one dispatch advances every trial of the batch through a whole chunk of
 * steps (kernels/resident.wgsl), instead of a dozen dispatches per step. It works on the arenas
 * of arenas.ts; where a network does not fit, the fused mode (fused.ts) takes a few dispatches
 * per step over the same arenas, and the general mode runs what neither implements.
 */
import type { GpuContext } from '../../gpu/device';
import type { ComputeKernel } from '../../gpu/wgsl';
import { gridFor } from '../../gpu/dispatch';
import type { BatchMemory } from './batchMemory';
import type { GpuPlan } from './plan';
import { ArenaLayout, arenaKernel, createArenas, encodeCopyOut, layoutStepBuffers, type Arenas, type StepBuffers } from './arenas';
import { residentWgsl } from './kernels/resident';
import { populationBlocks } from './kernels/fused';
import { fusedLanes } from './fused';

/** The most neurons (all populations together) a trial may have: each step's spike lists live in workgroup memory. */
export const RESIDENT_MAX_NEURONS = 2048;

/**
 * How the steps of a batch are scheduled: one set of dispatches per step ('general', every
 * kernel of stepSchedule.ts), two or three per step ('fused'), or one per chunk ('resident').
 */
export type GpuScheduleMode = 'general' | 'fused' | 'resident';

/** Why the plan cannot run resident (null when it can). */
export function residentUnsupported(plan: GpuPlan): string | null {
  const neurons = plan.populations.reduce((s, p) => s + p.plan.N, 0);
  if (neurons > RESIDENT_MAX_NEURONS) return `a trial has ${neurons} neurons, more than the ${RESIDENT_MAX_NEURONS} whose spikes one workgroup holds`;
  return null;
}

/**
 * On a CPU-emulated adapter (llvmpipe, SwiftShader) a workgroup's lanes and barriers run one
 * after another, so beyond this many trials per batch the fused dispatches, which spread each
 * phase over all trials at once, cost less (docs/gpu-engine.md has the measurements).
 */
export const RESIDENT_SOFTWARE_MAX_TRIALS = 32;

/**
 * Blocks of four neurons per fused lane beyond which a GPU takes the general schedule: its
 * dispatches give every block an invocation, where the fused lanes (at most 4096 over the batch)
 * would each step many blocks one after another. A CPU-emulated adapter runs a few lanes at once
 * either way, so there the fused schedule's fewer dispatches always pay.
 */
export const FUSED_MAX_BLOCKS_PER_LANE = 4;

/**
 * Why the resident schedule is wrong on an adapter whose shader compiler ends every loop of an
 * invocation after `loopCap` iterations in all (AdapterSummary.loopIterationCap: Mesa's llvmpipe
 * before 25): its one dispatch runs a chunk of steps, hundreds of loop iterations each, so a
 * workgroup stops part-way through the chunk and the rest of it has no spikes (on Mesa 22.3.6,
 * V6 at N = 500 ran 307 of each 500 steps and gave 4.1 Hz for 7.2 Hz: docs/platform.md). Null
 * without a cap.
 */
export function residentLoopCapped(loopCap: number | null): string | null {
  if (loopCap === null) return null;
  return (
    `this adapter's shader compiler (Mesa's llvmpipe before 25) ends every loop of an invocation after ${loopCap} iterations, ` +
    "which cuts the resident kernel's chunk of steps short; use --schedule fused (what auto takes there), or install Mesa ≥ 25 " +
    '(bash scripts/install-system-deps.sh --vulkan --gl, then MESOSTP_GPU_BACKEND=vulkan or opengl)'
  );
}

/**
 * The schedule of a batch of T trials under `mode` (auto: resident where it fits and pays, else
 * fused where it pays, else general). Under a loop iteration cap (`loopCap`, residentLoopCapped)
 * auto never takes resident: the fused and general schedules dispatch every step, and gave the
 * same spikes there as on an adapter without the cap. A forced mode is kept; what it cannot
 * run, scheduleUnsupported says.
 */
export function chooseSchedule(plan: GpuPlan, T: number, software: boolean, mode: 'auto' | GpuScheduleMode, loopCap: number | null = null): GpuScheduleMode {
  if (mode !== 'auto') return mode;
  if (loopCap === null && residentUnsupported(plan) === null && (!software || T <= RESIDENT_SOFTWARE_MAX_TRIALS)) return 'resident';
  const blocks = Math.max(...plan.populations.map((_, p) => populationBlocks(plan, p)));
  return software || blocks <= FUSED_MAX_BLOCKS_PER_LANE * fusedLanes(T, software) ? 'fused' : 'general';
}

/** Why `mode` cannot run the plan (null when it can), on an adapter with loop iteration cap `loopCap`. */
export function scheduleUnsupported(plan: GpuPlan, mode: GpuScheduleMode, loopCap: number | null = null): string | null {
  return mode === 'resident' ? (residentUnsupported(plan) ?? residentLoopCapped(loopCap)) : null;
}

export interface ResidentResources {
  kernel: ComputeKernel;
  bind: GPUBindGroup;
  workgroups: number;
  arenas: Arenas;
}

/** Lays out and fills the arenas and compiles the batch's kernel; null when an arena would exceed one storage binding. */
export async function allocateResident(
  ctx: GpuContext,
  memory: BatchMemory,
  plan: GpuPlan,
  batch: { T: number; from: number; seed: number; driveOffset: number; recordStp: boolean },
  buffers: StepBuffers,
): Promise<ResidentResources | null> {
  const layout = new ArenaLayout(batch.T);
  const offsets = layoutStepBuffers(layout, plan, buffers, batch.recordStp);
  const arenas = createArenas(ctx, memory, layout, { from: batch.from, lanes: 1 }, 'resident');
  if (!arenas) return null;
  const parts = residentWgsl({ plan, seed: batch.seed, driveOffset: batch.driveOffset, recordStp: batch.recordStp, offsets });
  const kernel = await arenaKernel(ctx, { label: 'micro-gpu resident', parts });
  const bind = ctx.device.createBindGroup({
    label: 'micro-gpu resident',
    layout: kernel.layout,
    entries: [buffers.ctl, arenas.buffers.F, arenas.buffers.U, arenas.buffers.A, buffers.spikeRecords, arenas.params].map((buffer, binding) => ({
      binding,
      resource: { buffer },
    })),
  });
  return { kernel, bind, workgroups: batch.T, arenas };
}

/** One chunk: the resident dispatch, then the recorded arrays back into the per-step buffers. */
export function encodeResidentChunk(ctx: GpuContext, encoder: GPUCommandEncoder, r: ResidentResources): void {
  const pass = encoder.beginComputePass({ label: 'micro-gpu resident steps' });
  pass.setPipeline(r.kernel.pipeline);
  pass.setBindGroup(0, r.bind);
  const grid = gridFor(r.workgroups, ctx.summary.limits.maxComputeWorkgroupsPerDimension);
  pass.dispatchWorkgroups(grid.x, grid.y);
  pass.end();
  encodeCopyOut(encoder, r.arenas);
}
