/** Indirect dispatch arguments from each population's spike count (spikeArgs.wgsl). */
import { wgslConstants, wgslStruct } from '../../../gpu/wgsl';
import { WG } from '../layout';
import { defineKernel, prepareDispatch, type Dispatch, type KernelSetup } from './kernel';
import { ENGINE_WGSL } from './library';
import code from './spikeArgs.wgsl?raw';

/** u32 words of arguments per population: a grid of one workgroup per spike, then one of one invocation per spike. */
const SPIKE_ARGS = { SPIKE_ARGS_WORDS: 6, SPIKE_ARGS_THREAD: 3 } as const;

export const ArgsParams = wgslStruct('ArgsParams', { populations: 'u32', maxPerDimension: 'u32' });

export const spikeArgs = defineKernel({
  name: 'spikeArgs',
  params: ArgsParams,
  bindings: ['ctl', 'args'],
  entryPoints: ['main'],
  parts: [...ENGINE_WGSL, wgslConstants('spike argument layout (spikeArgs.ts)', SPIKE_ARGS), ArgsParams.part, { name: 'kernels/spikeArgs.wgsl', code }],
});

/** Bytes of the arguments buffer for `populations`. */
export function spikeArgsBytes(populations: number): number {
  return 4 * SPIKE_ARGS.SPIKE_ARGS_WORDS * populations;
}

/** Byte offset of the indirect arguments for population `pop`: one workgroup per spike, or (perThread) one invocation per spike. */
export function spikeArgsOffset(pop: number, perThread: boolean): number {
  return 4 * (SPIKE_ARGS.SPIKE_ARGS_WORDS * pop + (perThread ? SPIKE_ARGS.SPIKE_ARGS_THREAD : 0));
}

export function spikeArgsDispatch(setup: KernelSetup, buffers: Record<'ctl' | 'args', GPUBuffer>): Promise<Dispatch> {
  const populations = setup.plan.populations.length;
  const maxPerDimension = setup.ctx.summary.limits.maxComputeWorkgroupsPerDimension;
  return prepareDispatch(setup, spikeArgs, {
    params: setup.uniform(ArgsParams, { populations, maxPerDimension }, 'spike args parameters'),
    buffers,
    label: 'spike args',
    grid: { x: Math.ceil(populations / WG), y: 1, workgroups: Math.ceil(populations / WG) },
  });
}
