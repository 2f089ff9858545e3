/**
 * What a micro-gpu kernel is on the host: its parameter struct (binding 0, `P`), its storage
 * bindings by name (1, 2, … in order), its entry points and the WGSL parts it is composed of.
 * Each kernel's module (populationStep.ts, …) declares these once beside its .wgsl file and
 * builds its dispatches; test/gpu/kernelLayouts.test.ts checks every declaration against the
 * composed WGSL.
 */
import type { GpuContext } from '../../../gpu/device';
import { dispatchGrid, type Grid } from '../../../gpu/dispatch';
import type { GpuPlan, GpuProjection } from '../plan';
import { composeWgsl, createComputeKernel, type ComputeKernel, type WgslFields, type WgslPart, type WgslStruct, type WgslValues } from '../../../gpu/wgsl';

export interface MicroKernel<F extends WgslFields = WgslFields, B extends string = string> {
  /** The file stem: kernels/<name>.wgsl and kernels/<name>.ts. */
  readonly name: string;
  readonly params: WgslStruct<F>;
  /** Storage bindings 1, 2, … by name (the WGSL variable names). */
  readonly bindings: readonly B[];
  readonly entryPoints: readonly string[];
  readonly parts: readonly WgslPart[];
}

export function defineKernel<F extends WgslFields, const B extends string>(kernel: MicroKernel<F, B>): MicroKernel<F, B> {
  return kernel;
}

/** The kernel's composed WGSL module. */
export function kernelSource(kernel: MicroKernel): string {
  return composeWgsl(kernel.parts);
}

export type KernelConstants = Record<string, number | boolean>;

/** Compiles each (kernel, entry point, override constants) once per GPU context. */
export class MicroKernels {
  private readonly cache = new Map<string, Promise<ComputeKernel>>();
  constructor(readonly ctx: GpuContext) {}

  get(kernel: MicroKernel, constants: KernelConstants = {}, entryPoint = kernel.entryPoints[0]): Promise<ComputeKernel> {
    if (!kernel.entryPoints.includes(entryPoint)) throw new Error(`micro-gpu ${kernel.name} has no entry point ${entryPoint}`);
    const numeric: Record<string, number> = {};
    for (const [k, v] of Object.entries(constants)) numeric[k] = typeof v === 'boolean' ? Number(v) : v;
    const key = `${kernel.name}:${entryPoint}:${JSON.stringify(numeric)}`;
    let k = this.cache.get(key);
    if (!k) {
      k = createComputeKernel(this.ctx, {
        label: `micro-gpu ${kernel.name}.${entryPoint} ${JSON.stringify(numeric)}`,
        parts: kernel.parts,
        constants: numeric,
        entryPoint,
      });
      this.cache.set(key, k);
    }
    return k;
  }
}

/** One dispatch of a step: a fixed grid, or indirect arguments written on the GPU. */
export interface Dispatch {
  kernel: ComputeKernel;
  bind: GPUBindGroup;
  grid?: Grid;
  indirect?: { buffer: GPUBuffer; offset: number };
}

export function encodeDispatch(pass: GPUComputePassEncoder, d: Dispatch): void {
  pass.setPipeline(d.kernel.pipeline);
  pass.setBindGroup(0, d.bind);
  if (d.indirect) pass.dispatchWorkgroupsIndirect(d.indirect.buffer, d.indirect.offset);
  else dispatchGrid(pass, d.grid!);
}

/** What a kernel module needs to build its dispatches for a batch of trials [from, from + T). */
export interface KernelSetup {
  ctx: GpuContext;
  kernels: MicroKernels;
  plan: GpuPlan;
  from: number;
  T: number;
  /** The scenario's seed as a Philox key word. */
  seed: number;
  /** Where the drive values start in the control buffer (u32 words). */
  driveOffset: number;
  /** The indirect dispatch arguments spikeArgs writes. */
  args: GPUBuffer;
  /** A uniform buffer holding `values` packed as `struct` (owned by the batch). */
  uniform<F extends WgslFields>(struct: WgslStruct<F>, values: WgslValues<F>, label: string): GPUBuffer;
  /** The 1-D grid for `items` invocations, WG per workgroup (or `perWorkgroup`). */
  grid(items: number, perWorkgroup?: number): Grid;
}

/**
 * A dispatch of `entryPoint`: P at binding 0, then the named storage buffers. A binding left out
 * is not bound: an entry point that does not use a binding has no slot for it in its automatic
 * layout (one that uses it needs a buffer, if only an unused one).
 */
export async function prepareDispatch<F extends WgslFields, B extends string>(
  setup: KernelSetup,
  kernel: MicroKernel<F, B>,
  o: {
    params: GPUBuffer;
    buffers: Partial<Record<B, GPUBuffer>>;
    label: string;
    constants?: KernelConstants;
    entryPoint?: string;
    grid?: Grid;
    indirect?: { buffer: GPUBuffer; offset: number };
  },
): Promise<Dispatch> {
  const compiled = await setup.kernels.get(kernel, o.constants, o.entryPoint);
  for (const name of Object.keys(o.buffers)) {
    if (!kernel.bindings.includes(name as B)) throw new Error(`micro-gpu ${kernel.name} has no binding ${name}`);
  }
  const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: o.params } }];
  kernel.bindings.forEach((name, i) => {
    const buffer = o.buffers[name];
    if (buffer) entries.push({ binding: i + 1, resource: { buffer } });
  });
  const bind = setup.ctx.device.createBindGroup({ label: o.label, layout: compiled.layout, entries });
  return { kernel: compiled, bind, grid: o.grid, indirect: o.indirect };
}

/**
 * The parameters every kernel that handles a projection's spikes starts its struct with: the
 * sizes of the projection, its ring and its STP state. Spread into the struct declaration, filled
 * by `spikeSideValues`.
 */
export const SPIKE_SIDE_FIELDS = {
  nPre: 'u32',
  nPost: 'u32',
  T: 'u32',
  /** Ring slots: delay + 1. */
  slots: 'u32',
  delay: 'u32',
  nSyn: 'u32',
  /** The presynaptic population, whose spike list the kernel reads. */
  spikePop: 'u32',
  /** T·nPre (per presynaptic neuron) or T·nSyn (per synapse). */
  nState: 'u32',
} as const;

export function spikeSideValues(setup: KernelSetup, gq: GpuProjection): WgslValues<typeof SPIKE_SIDE_FIELDS> {
  const pr = gq.plan;
  return {
    nPre: pr.nPre,
    nPost: pr.nPost,
    T: setup.T,
    slots: pr.delaySteps + 1,
    delay: pr.delaySteps,
    nSyn: pr.nSyn,
    spikePop: pr.pre,
    nState: Math.max(1, setup.T * gq.stpEntries),
  };
}

/** The override constants of the STP code (stp.wgsl, stpState.wgsl, stp_params_of). */
export function stpConstants(gq: GpuProjection): KernelConstants {
  return { STP: gq.plan.stpModel, PER_SYNAPSE: gq.perSynapse, HET_WEIGHT: gq.hetWeight };
}
