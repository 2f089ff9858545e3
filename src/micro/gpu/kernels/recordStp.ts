/** Recording at a bin's end: the means of the STP variables, relaxed on a copy to t_{n+1} (recordStp.wgsl). */
import { GRID_WGSL, wgslStruct } from '../../../gpu/wgsl';
import { stpParamValues, stpRest, type GpuProjection } from '../plan';
import { defineKernel, prepareDispatch, type Dispatch, type KernelSetup, stpConstants } from './kernel';
import { ENGINE_WGSL, STP_PARAMS_WGSL, STP_WGSL, StpParams } from './library';
import { THREAD_SUM_MAX } from './recordInputMean';
import code from './recordStp.wgsl?raw';

export const RecStpParams = wgslStruct('RecStpParams', {
  /** State entries per trial: nPre or nSyn. */
  entries: 'u32',
  T: 'u32',
  nSyn: 'u32',
  totalBins: 'u32',
  binSteps: 'u32',
  dt: 'f32',
  /** The resting state of the nominal parameters (the model table's), which the sums are taken about. */
  rest: 'vec3<f32>',
  stp: StpParams,
});

export const recordStp = defineKernel({
  name: 'recordStp',
  params: RecStpParams,
  bindings: ['ctl', 'stp', 'last', 'syn', 'out'],
  entryPoints: ['main', 'main_thread'],
  parts: [GRID_WGSL, ...ENGINE_WGSL, ...STP_WGSL, RecStpParams.part, STP_PARAMS_WGSL, { name: 'kernels/recordStp.wgsl', code }],
});

export function recordStpDispatch(setup: KernelSetup, gq: GpuProjection, buffers: Record<(typeof recordStp.bindings)[number], GPUBuffer>): Promise<Dispatch> {
  const { plan, T } = setup;
  const pr = gq.plan;
  const thread = gq.stpEntries <= THREAD_SUM_MAX;
  const params = setup.uniform(
    RecStpParams,
    {
      entries: gq.stpEntries,
      T,
      nSyn: pr.nSyn,
      totalBins: plan.totalBins,
      binSteps: plan.binSteps,
      dt: plan.net.dt,
      rest: stpRest(pr),
      stp: stpParamValues(pr),
    },
    `${pr.name} STP record parameters`,
  );
  return prepareDispatch(setup, recordStp, {
    params,
    buffers,
    label: `${pr.name} STP record`,
    constants: stpConstants(gq),
    entryPoint: thread ? 'main_thread' : 'main',
    grid: thread ? setup.grid(T) : setup.grid(T, 1),
  });
}
