/** Three-state STP with a heterogeneous τin: y per synapse in presynaptic time, its output through the ring (synY.wgsl). */
import { STP_MODELS } from '../../../compile';
import { GRID_WGSL, wgslConstants, wgslStruct } from '../../../gpu/wgsl';
import { stpParamValues, type GpuProjection } from '../plan';
import { defineKernel, prepareDispatch, type Dispatch, type KernelSetup, SPIKE_SIDE_FIELDS, spikeSideValues, stpConstants } from './kernel';
import { ENGINE_WGSL, STP_PARAMS_WGSL, STP_STATE_WGSL, STP_WGSL, StpParams } from './library';
import { spikeArgsOffset } from './spikeArgs';
import code from './synY.wgsl?raw';

export const SynYParams = wgslStruct('SynYParams', {
  ...SPIKE_SIDE_FIELDS,
  weight: 'f32',
  scale: 'f32',
  invScale: 'f32',
  dt: 'f32',
  /** The postsynaptic stages' propagator rows (stage 0 after y, stage S − 1 the output). */
  p0: 'vec4<f32>',
  p1: 'vec4<f32>',
  stp: StpParams,
});

export const synY = defineKernel({
  name: 'synY',
  params: SynYParams,
  bindings: ['ctl', 'spikes', 'ring', 'csr', 'syn', 'stp', 'last', 'y', 'stages'],
  entryPoints: ['on_spike', 'synapses', 'post'],
  parts: [
    GRID_WGSL,
    ...ENGINE_WGSL,
    ...STP_WGSL,
    SynYParams.part,
    STP_STATE_WGSL,
    STP_PARAMS_WGSL,
    // Per-synapse rows of the three-state parameters in `syn` (plan.ts uploads them from the same table).
    wgslConstants('three-state parameter rows (src/compile/stpModels.ts)', { SYN_Y_STP_ROWS: STP_MODELS['three-state'].params.length }),
    { name: 'kernels/synY.wgsl', code },
  ],
});

type Buffers = Record<(typeof synY.bindings)[number], GPUBuffer>;

/** on_spike (indirect, per spike), synapses (per synapse), and with postsynaptic stages post (per target). */
export async function synYDispatches(setup: KernelSetup, gq: GpuProjection, b: Buffers): Promise<Dispatch[]> {
  const pr = gq.plan;
  const S = pr.postStages;
  const scale = gq.fixedPoint.scale;
  const P = gq.propagator;
  const params = setup.uniform(
    SynYParams,
    {
      ...spikeSideValues(setup, gq),
      weight: pr.weight,
      scale,
      invScale: 1 / scale,
      dt: setup.plan.net.dt,
      p0: P.subarray(0, 4),
      p1: P.subarray(4, 8),
      stp: stpParamValues(pr),
    },
    `${pr.name} y parameters`,
  );
  const constants = { ...stpConstants(gq), POST_STAGES: S };
  const dispatches = [
    await prepareDispatch(setup, synY, {
      params,
      buffers: { ctl: b.ctl, spikes: b.spikes, csr: b.csr, syn: b.syn, stp: b.stp, last: b.last, y: b.y },
      label: `${pr.name} y spikes`,
      constants,
      entryPoint: 'on_spike',
      indirect: { buffer: setup.args, offset: spikeArgsOffset(pr.pre, true) },
    }),
    await prepareDispatch(setup, synY, {
      params,
      buffers: { ctl: b.ctl, ring: b.ring, csr: b.csr, syn: b.syn, y: b.y },
      label: `${pr.name} y synapses`,
      constants,
      entryPoint: 'synapses',
      grid: setup.grid(setup.T * pr.nSyn),
    }),
  ];
  if (S > 0) {
    dispatches.push(
      await prepareDispatch(setup, synY, {
        params,
        buffers: { ctl: b.ctl, ring: b.ring, stages: b.stages },
        label: `${pr.name} y stages`,
        constants,
        entryPoint: 'post',
        grid: setup.grid(setup.T * pr.nPost),
      }),
    );
  }
  return dispatches;
}
