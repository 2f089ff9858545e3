/** Step 4 for a projection with explicit (CSR) connectivity: STP at each spike, events into the ring (propagate.wgsl). */
import { GRID_WGSL, wgslStruct } from '../../../gpu/wgsl';
import { stpParamValues, type GpuProjection } from '../plan';
import { defineKernel, prepareDispatch, type Dispatch, type KernelSetup, SPIKE_SIDE_FIELDS, spikeSideValues, stpConstants } from './kernel';
import { ENGINE_WGSL, STP_PARAMS_WGSL, STP_STATE_WGSL, STP_WGSL, StpParams } from './library';
import { spikeArgsOffset } from './spikeArgs';
import code from './propagate.wgsl?raw';

/**
 * Up to this many synapses in a row one invocation walks a spike's row; above, a workgroup strides
 * over it. One invocation per item has no idle lanes and no barriers, which matter most on
 * CPU-emulated adapters.
 */
export const THREAD_ROW_MAX = 16;

export const PropParams = wgslStruct('PropParams', {
  ...SPIKE_SIDE_FIELDS,
  /** J·kickScale·(fixed-point scale). */
  scaledWeight: 'f32',
  /** kickScale·(fixed-point scale), times J_s for heterogeneous weights. */
  scaledKick: 'f32',
  dt: 'f32',
  /** connectivity.perTrial: each trial's CSR follows the previous one's; 0: shared. */
  csrStride: 'u32',
  stp: StpParams,
});

export const propagate = defineKernel({
  name: 'propagate',
  params: PropParams,
  bindings: ['ctl', 'spikes', 'ring', 'csr', 'syn', 'stp', 'last'],
  entryPoints: ['main', 'main_thread'],
  parts: [GRID_WGSL, ...ENGINE_WGSL, ...STP_WGSL, PropParams.part, STP_STATE_WGSL, STP_PARAMS_WGSL, { name: 'kernels/propagate.wgsl', code }],
});

export function propagateDispatch(
  setup: KernelSetup,
  gq: GpuProjection,
  csr: { stride: number; longestRow: number },
  buffers: Record<(typeof propagate.bindings)[number], GPUBuffer>,
): Promise<Dispatch> {
  const pr = gq.plan;
  const scale = gq.fixedPoint.scale;
  const rowThread = csr.longestRow <= THREAD_ROW_MAX;
  const params = setup.uniform(
    PropParams,
    {
      ...spikeSideValues(setup, gq),
      scaledWeight: pr.weight * pr.kickScale * scale,
      scaledKick: pr.kickScale * scale,
      dt: setup.plan.net.dt,
      csrStride: csr.stride,
      stp: stpParamValues(pr),
    },
    `${pr.name} propagation parameters`,
  );
  return prepareDispatch(setup, propagate, {
    params,
    buffers,
    label: `${pr.name} propagation`,
    constants: stpConstants(gq),
    entryPoint: rowThread ? 'main_thread' : 'main',
    indirect: { buffer: setup.args, offset: spikeArgsOffset(pr.pre, rowThread) },
  });
}
