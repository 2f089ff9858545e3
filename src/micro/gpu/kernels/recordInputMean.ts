/** Recording: the population mean of I_n per trial, added into its bin (recordInputMean.wgsl). */
import { GRID_WGSL, wgslStruct } from '../../../gpu/wgsl';
import type { GpuPopulation } from '../plan';
import { defineKernel, prepareDispatch, type Dispatch, type KernelSetup } from './kernel';
import { ENGINE_WGSL } from './library';
import code from './recordInputMean.wgsl?raw';

export const MeanParams = wgslStruct('MeanParams', { N: 'u32', T: 'u32', binSteps: 'u32', totalBins: 'u32' });

export const recordInputMean = defineKernel({
  name: 'recordInputMean',
  params: MeanParams,
  bindings: ['ctl', 'acc', 'mean'],
  entryPoints: ['main', 'main_thread'],
  parts: [GRID_WGSL, ...ENGINE_WGSL, MeanParams.part, { name: 'kernels/recordInputMean.wgsl', code }],
});

/** Up to this many neurons one invocation sums a trial; above, a workgroup per trial tree-reduces. */
export const THREAD_SUM_MAX = 512;

export function recordInputMeanDispatch(setup: KernelSetup, gp: GpuPopulation, buffers: Record<'ctl' | 'acc' | 'mean', GPUBuffer>): Promise<Dispatch> {
  const { plan, T } = setup;
  const N = gp.plan.N;
  const thread = N <= THREAD_SUM_MAX;
  return prepareDispatch(setup, recordInputMean, {
    params: setup.uniform(MeanParams, { N, T, binSteps: plan.binSteps, totalBins: plan.totalBins }, `${gp.plan.name} mean parameters`),
    buffers,
    label: `${gp.plan.name} mean`,
    entryPoint: thread ? 'main_thread' : 'main',
    grid: thread ? setup.grid(T) : setup.grid(T, 1),
  });
}
