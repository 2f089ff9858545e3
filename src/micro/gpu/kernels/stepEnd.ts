/** The last dispatch of a step: n ← n + 1, spike counters ← 0 (stepEnd.wgsl). */
import { wgslStruct } from '../../../gpu/wgsl';
import { defineKernel, prepareDispatch, type Dispatch, type KernelSetup } from './kernel';
import { ENGINE_WGSL } from './library';
import code from './stepEnd.wgsl?raw';

export const EndParams = wgslStruct('EndParams', { populations: 'u32' });

export const stepEnd = defineKernel({
  name: 'stepEnd',
  params: EndParams,
  bindings: ['ctl'],
  entryPoints: ['main'],
  parts: [...ENGINE_WGSL, EndParams.part, { name: 'kernels/stepEnd.wgsl', code }],
});

export function stepEndDispatch(setup: KernelSetup, ctl: GPUBuffer): Promise<Dispatch> {
  return prepareDispatch(setup, stepEnd, {
    params: setup.uniform(EndParams, { populations: setup.plan.populations.length }, 'step end parameters'),
    buffers: { ctl },
    label: 'step end',
    grid: { x: 1, y: 1, workgroups: 1 },
  });
}
